/** Terminal colours, only when writing to a TTY and NO_COLOR is unset (https://no-color.org). */
export function makeStyle(stream: NodeJS.WriteStream) {
  return styleOf(colorsOn(stream));
}

/** Whether colours go to this stream: a TTY, NO_COLOR unset, TERM not dumb. */
export function colorsOn(stream: NodeJS.WriteStream): boolean {
  return stream.isTTY === true && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
}

/** Colours on or off, as decided by the caller (a renderer told `color: true`). */
export function styleOf(on: boolean) {
  const wrap = (open: number, close: number) => (text: string) => (on ? `\u001b[${open}m${text}\u001b[${close}m` : text);
  return {
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
  };
}

export type Style = ReturnType<typeof styleOf>;
