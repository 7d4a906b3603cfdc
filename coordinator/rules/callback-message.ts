import type { CallbackRecord } from '../types.js';

/** Longest result text of one child carried in a callback message; longer ones are cut with a marker. */
export const MAX_CALLBACK_RESULT_CHARS = 20_000;

function resultText(result: unknown): string | null {
  if (result === null || result === undefined || typeof result !== 'object') return null;
  const r = result as { result_text?: unknown; result_data?: unknown };
  if (r.result_data !== undefined) return JSON.stringify(r.result_data, null, 2);
  if (typeof r.result_text === 'string') return r.result_text;
  return null;
}

function cut(text: string): string {
  if (text.length <= MAX_CALLBACK_RESULT_CHARS) return text;
  return `${text.slice(0, MAX_CALLBACK_RESULT_CHARS)}\n[… truncated: ${text.length - MAX_CALLBACK_RESULT_CHARS} more characters; get_agent_session shows the rest]`;
}

/**
 * The prompt that resumes a session with the outcomes of the children it started in callback mode, in
 * the order they ended. Pure.
 * @example callbackMessage([{ child_session_id: 'ses_a', status: 'succeeded', result: { result_text: 'done' }, … }])
 */
export function callbackMessage(callbacks: readonly Pick<CallbackRecord, 'child_session_id' | 'child_run_id' | 'status' | 'result' | 'error'>[]): string {
  const sections = callbacks.map((c) => {
    const text = resultText(c.result);
    const body = [
      text === null ? null : `## Result\n\n${cut(text)}`,
      c.status === 'succeeded' || c.error === null ? null : `## Error\n\n${c.error}`,
      text === null && (c.status === 'succeeded' || c.error === null) ? '(no result reported)' : null,
    ].filter((part) => part !== null);
    return `<agent-callback session="${c.child_session_id}" run="${c.child_run_id}" status="${c.status}">\n${body.join('\n\n')}\n</agent-callback>`;
  });
  const what = callbacks.length === 1 ? 'A child session you started in callback mode has ended' : `${callbacks.length} child sessions you started in callback mode have ended`;
  return `${what}:\n\n<agent-callbacks count="${callbacks.length}">\n${sections.join('\n')}\n</agent-callbacks>\n\nContinue your work with these results.`;
}
