/**
 * Executor-provided text made safe to print on a terminal. An executor (or an agent inside one) controls
 * the text of its events, its stderr and its executor.json; printed raw, its escape sequences could clear
 * the screen, set the window title, move the cursor to overwrite our own "✔ succeeded", or hide text.
 * Whole escape sequences are removed (they only style or steer the terminal); every other control
 * character is shown as `\xNN`. `--json` output is never passed through here: it keeps the data exact.
 */

/** ESC and 8-bit C1 sequences: CSI, OSC (to BEL or ST), DCS/SOS/PM/APC strings (to ST), and two-character ESC sequences. */
const ESCAPE_SEQUENCE = new RegExp(
  [
    '\\x1b\\[[0-?]*[ -/]*[@-~]?', // CSI
    '\\x9b[0-?]*[ -/]*[@-~]?', // 8-bit CSI
    '\\x1b\\][^\\x07\\x1b\\x9c]*(?:\\x07|\\x1b\\\\|\\x9c)?', // OSC (window title, hyperlinks, clipboard)
    '\\x9d[^\\x07\\x1b\\x9c]*(?:\\x07|\\x1b\\\\|\\x9c)?', // 8-bit OSC
    '\\x1b[PX^_][^\\x1b\\x9c]*(?:\\x1b\\\\|\\x9c)?', // DCS, SOS, PM, APC
    '[\\x90\\x98\\x9e\\x9f][^\\x1b\\x9c]*(?:\\x1b\\\\|\\x9c)?', // their 8-bit forms
    '\\x1b[ -/]*[0-~]?', // any other ESC sequence (reset, charset, keypad), or a lone ESC
  ].join('|'),
  'g',
);
/** C0 controls but newline and tab, DEL, and C1 controls. */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
const CONTROL_OR_LINE = /[\x00-\x1f\x7f-\x9f]/g;

const visible = (ch: string) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;

/**
 * `text` safe for a terminal: escape sequences removed, control characters shown as `\xNN`. With
 * `lines: true` newlines and tabs stay (for multi-line messages); otherwise they are shown too.
 */
export function terminalText(text: string, options: { lines?: boolean } = {}): string {
  const stripped = text.replace(ESCAPE_SEQUENCE, '');
  if (options.lines === true) return stripped.replace(CONTROL, visible);
  return stripped.replace(CONTROL_OR_LINE, (ch) => (ch === '\t' ? ' ' : visible(ch)));
}
