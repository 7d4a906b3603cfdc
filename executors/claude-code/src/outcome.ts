/**
 * How a run ends: the exit code of the contract and the one stderr line that says why. Pure.
 */
import { describeFailure, type MappingState } from './map-message.js';

export const EXIT_SUCCEEDED = 0;
export const EXIT_FAILED = 1;
export const EXIT_REJECTED = 2;
/** EX_TEMPFAIL: this host cannot run Claude (no SDK, no CLI, no credentials); another runner may. */
export const EXIT_INFRA = 75;
/** 128 + SIGTERM, as a shell reports a process ended by it. */
export const EXIT_TERMINATED = 143;

export const PREFIX = 'claude-code';

export const LOGIN_HINT =
  'log in once with `claude` (then /login) as the user the runner runs as, or set ANTHROPIC_API_KEY in the runner environment';

export interface Ending {
  code: number;
  /** One line for stderr; undefined on success. */
  reason: string | undefined;
}

const AUTH_TEXT = /not logged in|please run \/login|invalid api key|authentication|oauth token (has )?expired|x-api-key/i;

/** Whether Claude's failure means this host has no working credentials. */
export function isCredentialFailure(state: MappingState): boolean {
  const result = state.result;
  if (result === undefined || !result.isError) return false;
  if (state.apiError === 'authentication_failed' || result.apiErrorStatus === 401) return true;
  return result.subtype === 'success' && AUTH_TEXT.test(result.text ?? '');
}

/** The ending once the query finished normally (Claude sent its result, or the stream just ended). */
export function endingFromResult(state: MappingState): Ending {
  const result = state.result;
  if (result === undefined) return { code: EXIT_FAILED, reason: `${PREFIX}: Claude Code ended without a result` };
  if (!result.isError) return { code: EXIT_SUCCEEDED, reason: undefined };
  if (isCredentialFailure(state)) {
    const said = result.text === undefined ? '' : ` (Claude Code said: ${oneLine(result.text)})`;
    return { code: EXIT_INFRA, reason: `${PREFIX}: Claude Code has no valid credentials${said}: ${LOGIN_HINT}` };
  }
  return { code: EXIT_FAILED, reason: `${PREFIX}: ${oneLine(describeFailure(result))}` };
}

/** The ending when the SDK threw: Claude Code could not be started, or died without a result. */
export function endingFromError(error: unknown, state: MappingState): Ending {
  if (state.result !== undefined) return endingFromResult(state);
  const message = oneLine(error instanceof Error ? error.message : String(error));
  if (/native cli binary .* not found|not found at|ENOENT|EACCES|failed to launch/i.test(message)) {
    return {
      code: EXIT_INFRA,
      reason: `${PREFIX}: cannot start Claude Code (${message}); install it or point CLAUDE_CODE_EXECUTABLE at a claude binary`,
    };
  }
  return { code: EXIT_FAILED, reason: `${PREFIX}: Claude Code ended without a result: ${message}` };
}

/** Collapse whitespace and cap the length, so a reason stays one readable stderr line. */
export function oneLine(text: string, max = 600): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
