/**
 * Telegram inline-button `callback_data` (1-64 bytes): which question a button answers and how.
 *
 *   ar1:<question id>:<choice>
 *
 * `ar1` is the format's version; `<choice>` is `c<N>` for the question's option N (0-based), `allow`,
 * `deny`, or `always` (allow for the rest of the session). The question id must be at most 48 characters of
 * `[A-Za-z0-9_-]` (question ids are `qst_` + 16 characters). Buttons carry no secret: an answer is accepted only
 * from an allow-listed chat, and only once (the questions' exactly-once rule). Pure.
 */

export type ButtonChoice = { kind: 'option'; index: number } | { kind: 'allow' } | { kind: 'deny' } | { kind: 'always' };

/** Telegram's limit on callback_data, in bytes. */
export const MAX_CALLBACK_DATA_BYTES = 64;
const ID = /^[A-Za-z0-9_-]{1,48}$/;

/** The callback_data of a button, or null when the question id cannot be carried (the message then has no buttons). */
export function encodeCallbackData(questionId: string, choice: ButtonChoice): string | null {
  if (!ID.test(questionId)) return null;
  const tail = choice.kind === 'option' ? `c${choice.index}` : choice.kind;
  const data = `ar1:${questionId}:${tail}`;
  return Buffer.byteLength(data) <= MAX_CALLBACK_DATA_BYTES ? data : null;
}

/** The question and choice of a button's callback_data, or null when it is not ours. */
export function decodeCallbackData(data: string): { questionId: string; choice: ButtonChoice } | null {
  const match = /^ar1:([A-Za-z0-9_-]{1,48}):(c(\d{1,3})|allow|deny|always)$/.exec(data);
  if (match === null) return null;
  const [, questionId, tail, index] = match;
  const choice: ButtonChoice = index !== undefined ? { kind: 'option', index: Number(index) } : { kind: tail as 'allow' | 'deny' | 'always' };
  return { questionId: questionId!, choice };
}
