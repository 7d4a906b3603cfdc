export const STDERR_TAIL_LINES = 20;
export const STDERR_TAIL_BYTES = 8_192;

/** Keeps the last few stderr lines, to explain a failure without holding all of stderr. */
export class StderrTail {
  #lines: string[] = [];

  add(line: string): void {
    this.#lines.push(line.length > STDERR_TAIL_BYTES ? line.slice(0, STDERR_TAIL_BYTES) : line);
    if (this.#lines.length > STDERR_TAIL_LINES) this.#lines.shift();
  }

  toString(): string {
    let text = this.#lines.join('\n');
    if (text.length > STDERR_TAIL_BYTES) text = text.slice(text.length - STDERR_TAIL_BYTES);
    return text;
  }
}
