/**
 * Text a terminal shows as it is. Logged values can carry what an executor or an agent wrote (its stderr,
 * an error message, a session's prompt); printed raw, an escape sequence could recolour, hide or rewrite
 * what is on screen, a newline could forge a whole log line, and a bidirectional control could reorder
 * what is read. Unlike terminalText (lib/cli), nothing is removed: a log keeps the evidence, escaped.
 */

/** C0 controls, DEL, C1 controls, the line and paragraph separators, and the bidirectional controls. */
const UNPRINTABLE = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const HAS_UNPRINTABLE = new RegExp(UNPRINTABLE.source);
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const escaped = (ch: string) => {
  const code = ch.charCodeAt(0);
  return NAMED[ch] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
};

/** `text` with every unprintable character written as an escape (`\n`, `\x1b`, `\u202e`). */
export function printableText(text: string): string {
  return text.replace(UNPRINTABLE, escaped);
}

/** A value as one token: bare when it is plain, else in double quotes with `\` and `"` escaped too. */
export function printableValue(text: string): string {
  if (/^[^\s"=\\]+$/.test(text) && !HAS_UNPRINTABLE.test(text)) return text;
  return `"${printableText(text.replace(/[\\"]/g, '\\$&'))}"`;
}
