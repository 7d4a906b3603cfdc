import { describe, expect, it } from 'vitest';
import { describeFailure, mapMessage, newMappingState, toolOutput, usageSoFar, type ClaudeResult } from './map-message.js';

const init = (sessionId: string, extra: Record<string, unknown> = {}) => ({
  type: 'system',
  subtype: 'init',
  session_id: sessionId,
  model: 'claude-x',
  claude_code_version: '2.1.329',
  permissionMode: 'acceptEdits',
  mcp_servers: [{ name: 'orchestrator', status: 'connected' }],
  ...extra,
});
const assistant = (content: unknown[], extra: Record<string, unknown> = {}) => ({ type: 'assistant', message: { role: 'assistant', content }, parent_tool_use_id: null, ...extra });
const result = (extra: Record<string, unknown> = {}) => ({
  type: 'result',
  subtype: 'success',
  is_error: false,
  result: 'done',
  num_turns: 2,
  total_cost_usd: 0.5,
  usage: { input_tokens: 100, output_tokens: 20, cache_read_input_tokens: 5, cache_creation_input_tokens: 1 },
  modelUsage: { 'claude-x': {} },
  stop_reason: 'end_turn',
  ...extra,
});

describe('mapMessage', () => {
  it('binds the session on the first init, and again only if the id changes', () => {
    const state = newMappingState();
    const first = mapMessage(init('s1'), state);
    expect(first[0]).toEqual({ type: 'bind', executor_session_id: 's1' });
    expect(first[1]).toEqual({ type: 'log', level: 'debug', message: 'Claude Code 2.1.329: model claude-x, permission mode acceptEdits, MCP servers: orchestrator (connected)' });
    expect(mapMessage(init('s1'), state).map((e) => e.type)).toEqual(['log']);
    expect(mapMessage(init('s2'), state)[0]).toEqual({ type: 'bind', executor_session_id: 's2' });
  });

  it('warns about MCP servers that failed to connect', () => {
    const events = mapMessage(init('s1', { mcp_servers: [{ name: 'orchestrator', status: 'failed' }] }), newMappingState());
    expect(events).toContainEqual({ type: 'log', level: 'warn', message: 'MCP server "orchestrator" is failed; its tools are unavailable' });
  });

  it('maps text blocks to messages and tool_use blocks to tool calls, skipping others', () => {
    const state = newMappingState();
    const events = mapMessage(
      assistant([
        { type: 'thinking', thinking: 'hmm' },
        { type: 'text', text: 'Reading.' },
        { type: 'text', text: '' },
        { type: 'tool_use', id: 't1', name: 'Read', input: { file_path: 'a' } },
        { type: 'hologram' },
      ]),
      state,
    );
    expect(events).toEqual([
      { type: 'message', role: 'assistant', text: 'Reading.' },
      { type: 'tool_call', id: 't1', name: 'Read', input: { file_path: 'a' } },
    ]);
    expect(state.toolNames.get('t1')).toBe('Read');
  });

  it("marks a subagent's messages with parent_tool_use_id", () => {
    const events = mapMessage(assistant([{ type: 'text', text: 'sub' }], { parent_tool_use_id: 'task_1' }), newMappingState());
    expect(events).toEqual([{ type: 'message', role: 'assistant', text: 'sub', parent_tool_use_id: 'task_1' }]);
  });

  it('maps tool results in user messages, named after their call', () => {
    const state = newMappingState();
    mapMessage(assistant([{ type: 'tool_use', id: 't1', name: 'Bash', input: {} }]), state);
    const events = mapMessage(
      { type: 'user', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'boom', is_error: true }, { type: 'text', text: 'x' }] } },
      state,
    );
    expect(events).toEqual([{ type: 'tool_result', id: 't1', name: 'Bash', output: 'boom', is_error: true }]);
    expect(mapMessage({ type: 'user', message: { role: 'user', content: 'plain prompt' } }, state)).toEqual([]);
  });

  it('turns an API error message into a warning and remembers it', () => {
    const state = newMappingState();
    const events = mapMessage(assistant([{ type: 'text', text: 'Not logged in' }], { error: 'authentication_failed' }), state);
    expect(events).toEqual([{ type: 'log', level: 'warn', message: 'Claude API error (authentication_failed): Not logged in' }]);
    expect(state.apiError).toBe('authentication_failed');
  });

  it('reports API retries as warnings', () => {
    const events = mapMessage({ type: 'system', subtype: 'api_retry', attempt: 2, max_retries: 10, retry_delay_ms: 1200, error_status: null, error: 'unknown' }, newMappingState());
    expect(events).toEqual([{ type: 'log', level: 'warn', message: 'Claude API request failed (no status, unknown); retry 2 of 10 in 1200 ms' }]);
  });

  it('maps a successful result to usage and result', () => {
    const state = newMappingState();
    expect(mapMessage(result(), state)).toEqual([
      { type: 'usage', input_tokens: 100, output_tokens: 20, cache_read_input_tokens: 5, cache_creation_input_tokens: 1, cost_usd: 0.5, cost_scope: 'executor_session', model: 'claude-x', num_turns: 2 },
      { type: 'result', is_error: false, subtype: 'success', result_text: 'done', stop_reason: 'end_turn' },
    ]);
    expect(state.result).toMatchObject({ subtype: 'success', isError: false, text: 'done' });
  });

  it('reports structured output as result_data', () => {
    const [, resultEvent] = mapMessage(result({ structured_output: { n: 1 } }), newMappingState());
    expect(resultEvent).toMatchObject({ result_text: 'done', result_data: { n: 1 } });
  });

  it('explains error results in result_text and keeps their errors', () => {
    const [, resultEvent] = mapMessage(result({ subtype: 'error_max_turns', is_error: true, result: undefined, errors: ['Reached maximum number of turns (3)'] }), newMappingState());
    expect(resultEvent).toEqual({
      type: 'result',
      is_error: true,
      subtype: 'error_max_turns',
      result_text: 'Claude stopped at the maximum number of turns (max_turns): Reached maximum number of turns (3)',
      errors: ['Reached maximum number of turns (3)'],
      stop_reason: 'end_turn',
    });
  });

  it('treats is_error with subtype success as an error', () => {
    const state = newMappingState();
    const [, resultEvent] = mapMessage(result({ is_error: true, result: 'API Error: 529' }), state);
    expect(resultEvent).toMatchObject({ is_error: true, result_text: 'Claude Code reported an error: API Error: 529' });
    expect(state.result!.isError).toBe(true);
  });

  it('ignores unknown types, subtypes and non-objects', () => {
    const state = newMappingState();
    for (const message of [null, 'text', 42, [], { type: 'teleport' }, { type: 'system', subtype: 'session_state_changed' }, { type: 'stream_event' }]) {
      expect(mapMessage(message, state)).toEqual([]);
    }
    expect(state).toEqual(newMappingState());
  });

  it('survives malformed known messages', () => {
    const state = newMappingState();
    expect(mapMessage({ type: 'assistant' }, state)).toEqual([]);
    expect(mapMessage({ type: 'user', message: 7 }, state)).toEqual([]);
    expect(mapMessage({ type: 'result' }, state)).toEqual([
      { type: 'usage' },
      { type: 'result', is_error: true, subtype: 'unknown', result_text: 'Claude Code ended with unknown' },
    ]);
  });
});

describe('toolOutput', () => {
  it('keeps strings, joins text blocks, keeps anything else raw', () => {
    expect(toolOutput('x')).toBe('x');
    expect(toolOutput(undefined)).toBe('');
    expect(toolOutput([{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }])).toBe('a\nb');
    const image = [{ type: 'image', source: {} }];
    expect(toolOutput(image)).toBe(image);
  });
});

describe('describeFailure', () => {
  const failure = (subtype: string, fields: Partial<ClaudeResult> = {}): ClaudeResult => ({
    subtype,
    isError: true,
    text: undefined,
    errors: [],
    structuredOutput: undefined,
    apiErrorStatus: undefined,
    ...fields,
  });
  it('names each kind of failure', () => {
    expect(describeFailure(failure('error_max_budget_usd'))).toBe('Claude stopped at its budget (max_budget_usd)');
    expect(describeFailure(failure('error_max_structured_output_retries'))).toBe('Claude could not produce output matching output_schema');
    expect(describeFailure(failure('error_during_execution', { errors: ['a', 'b'] }))).toBe('Claude Code failed during execution: a; b');
    expect(describeFailure(failure('success', { text: 'Invalid API key' }))).toBe('Claude Code reported an error: Invalid API key');
  });
});

describe('usageSoFar', () => {
  const message = (id: string | undefined, usage: unknown) => ({ type: 'assistant', message: { ...(id === undefined ? {} : { id }), role: 'assistant', content: [{ type: 'text', text: 'x' }], usage } });
  it('sums the assistant messages seen, each id once (the last report of it), without cost; nothing once a result came', () => {
    const state = newMappingState();
    expect(usageSoFar(state)).toBeUndefined();
    mapMessage(init('s-1'), state);
    mapMessage(message('m1', { input_tokens: 10, output_tokens: 1, cache_read_input_tokens: 3 }), state);
    mapMessage(message('m1', { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 3 }), state);
    mapMessage(message('m2', { input_tokens: 7, output_tokens: -2, cache_creation_input_tokens: 'lots' }), state);
    mapMessage(message(undefined, { input_tokens: 1 }), state);
    mapMessage(message('m3', 'not usage'), state);
    expect(usageSoFar(state)).toEqual({
      type: 'usage', input_tokens: 18, output_tokens: 5, cache_read_input_tokens: 3, cache_creation_input_tokens: 0, model: 'claude-x', partial: true,
    });
    mapMessage({ type: 'result', subtype: 'success', result: 'done', total_cost_usd: 0.1, usage: {} }, state);
    expect(usageSoFar(state)).toBeUndefined();
  });
});
