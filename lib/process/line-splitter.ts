/** Longest line we keep, in bytes; the rest of a longer line is dropped and the line is marked truncated. */
export const MAX_LINE_BYTES = 1_048_576;

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

export interface Line {
  text: string;
  /** The line was longer than the limit; `text` holds its first `maxLineBytes` bytes. */
  truncated: boolean;
  /** Length of the whole line in bytes, before truncation. */
  bytes: number;
}

/**
 * Splits a byte stream into lines without holding more than one line (capped) in memory.
 *
 * Works on bytes, not strings, so a multi-byte character split across chunks is decoded whole; invalid
 * UTF-8 becomes U+FFFD. A trailing `\r` is dropped so CRLF output reads like LF output.
 */
export class LineSplitter {
  readonly #onLine: (line: Line) => void;
  readonly #maxLineBytes: number;
  /** The current line's bytes kept so far (at most maxLineBytes), as slices of the chunks. */
  #parts: Buffer[] = [];
  #keptBytes = 0;
  /** The current line's length so far, kept or not. */
  #lineBytes = 0;

  constructor(onLine: (line: Line) => void, maxLineBytes = MAX_LINE_BYTES) {
    this.#onLine = onLine;
    this.#maxLineBytes = maxLineBytes;
  }

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline;
      this.#keep(chunk, start, end);
      if (newline === -1) return;
      this.#emit();
      start = newline + 1;
    }
  }

  /** Emit what is left as a last line (output that did not end with a newline). */
  end(): void {
    if (this.#lineBytes > 0) this.#emit();
  }

  #keep(chunk: Buffer, start: number, end: number): void {
    const length = end - start;
    this.#lineBytes += length;
    const room = this.#maxLineBytes - this.#keptBytes;
    if (room <= 0 || length === 0) return;
    const take = Math.min(room, length);
    this.#parts.push(chunk.subarray(start, start + take));
    this.#keptBytes += take;
  }

  #emit(): void {
    let buffer = this.#parts.length === 1 ? this.#parts[0]! : Buffer.concat(this.#parts, this.#keptBytes);
    const truncated = this.#lineBytes > this.#maxLineBytes;
    if (!truncated && buffer.length > 0 && buffer[buffer.length - 1] === CARRIAGE_RETURN) {
      buffer = buffer.subarray(0, buffer.length - 1);
    }
    const line: Line = { text: buffer.toString('utf8'), truncated, bytes: this.#lineBytes };
    this.#parts = [];
    this.#keptBytes = 0;
    this.#lineBytes = 0;
    this.#onLine(line);
  }
}
