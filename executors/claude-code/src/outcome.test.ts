import { describe, expect, it } from 'vitest';
import { mapMessage, newMappingState } from './map-message.js';
import { endingFromError, endingFromResult, isCredentialFailure, oneLine } from './outcome.js';

function stateAfter(...messages: unknown[]) {
  const state = newMappingState();
  for (const m of messages) mapMessage(m, state);
  return state;
}
const result = (extra: Record<string, unknown>) => ({ type: 'result', subtype: 'success', is_error: false, result: 'ok', ...extra });

describe('endingFromResult', () => {
  it('exits 0 on success', () => {
    expect(endingFromResult(stateAfter(result({})))).toEqual({ code: 0, reason: undefined });
  });

  it('exits 1 with the reason on an error result', () => {
    expect(endingFromResult(stateAfter(result({ subtype: 'error_max_turns', is_error: true, result: undefined, errors: ['Reached maximum number of turns (2)'] })))).toEqual({
      code: 1,
      reason: 'claude-code: Claude stopped at the maximum number of turns (max_turns): Reached maximum number of turns (2)',
    });
  });

  it('exits 1 when there was no result', () => {
    expect(endingFromResult(newMappingState())).toEqual({ code: 1, reason: 'claude-code: Claude Code ended without a result' });
  });

  it('exits 75 with the login hint when credentials are missing or invalid', () => {
    const notLoggedIn = stateAfter(result({ is_error: true, result: 'Not logged in · Please run /login' }));
    expect(endingFromResult(notLoggedIn)).toEqual({
      code: 75,
      reason:
        'claude-code: Claude Code has no valid credentials (Claude Code said: Not logged in · Please run /login): ' +
        'log in once with `claude` (then /login) as the user the runner runs as, or set ANTHROPIC_API_KEY in the runner environment',
    });
    expect(isCredentialFailure(stateAfter(result({ is_error: true, result: 'Invalid API key · Fix external API key', api_error_status: 401 })))).toBe(true);
    expect(isCredentialFailure(stateAfter({ type: 'assistant', message: { content: [] }, error: 'authentication_failed' }, result({ is_error: true, result: '?' })))).toBe(true);
    expect(isCredentialFailure(stateAfter(result({ is_error: true, result: 'API Error: 500' })))).toBe(false);
    expect(isCredentialFailure(stateAfter(result({ result: 'Not logged in, but fine' })))).toBe(false);
  });
});

describe('endingFromError', () => {
  it('exits 75 when Claude Code cannot be started', () => {
    const ending = endingFromError(new Error('Claude Code executable not found at /x/claude. Is options.pathToClaudeCodeExecutable set?'), newMappingState());
    expect(ending.code).toBe(75);
    expect(ending.reason).toMatch(/^claude-code: cannot start Claude Code \(.*\/x\/claude.*\); install it or point CLAUDE_CODE_EXECUTABLE at a claude binary$/);
  });

  it('exits 1 when Claude Code died without a result, in one line', () => {
    const ending = endingFromError(new Error('Claude Code process exited with code 3. stderr: line one\nline two'), newMappingState());
    expect(ending).toEqual({ code: 1, reason: 'claude-code: Claude Code ended without a result: Claude Code process exited with code 3. stderr: line one line two' });
  });

  it('trusts a result that arrived before the error', () => {
    expect(endingFromError(new Error('late'), stateAfter(result({})))).toEqual({ code: 0, reason: undefined });
  });
});

describe('oneLine', () => {
  it('collapses whitespace and caps the length', () => {
    expect(oneLine(' a\n\tb  ')).toBe('a b');
    expect(oneLine('x'.repeat(10), 5)).toBe('xxxx…');
  });
});
