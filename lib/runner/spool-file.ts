import { appendFileSync, closeSync, openSync, readSync, rmSync } from 'node:fs';
import { PRIVATE_FILE_MODE } from '../state/state-dir.js';

const READ_CHUNK_BYTES = 1_048_576;

/**
 * An append-only JSON-lines file read back from the front: the on-disk tail of the event outbox.
 * Synchronous on purpose: it is only used while the coordinator is unreachable, and the ordering is
 * simplest when an append is complete before the next event is taken.
 */
export class SpoolFile<T> {
  readonly path: string;
  #readOffset = 0;
  #pending = 0;
  #carry = Buffer.alloc(0);

  constructor(path: string) {
    this.path = path;
  }

  get size(): number {
    return this.#pending;
  }

  append(items: readonly T[]): void {
    if (items.length === 0) return;
    // Owner-only, like everything in the state folder: events may carry what agents said and read.
    appendFileSync(this.path, items.map((item) => `${JSON.stringify(item)}\n`).join(''), { mode: PRIVATE_FILE_MODE });
    this.#pending += items.length;
  }

  /** Read up to `max` items from the front (fewer only when the file holds fewer). */
  take(max: number): T[] {
    const out: T[] = [];
    if (this.#pending === 0) return out;
    const fd = openSync(this.path, 'r');
    try {
      while (out.length < max && this.#pending > 0) {
        const newline = this.#carry.indexOf(0x0a);
        if (newline !== -1) {
          out.push(JSON.parse(this.#carry.subarray(0, newline).toString('utf8')) as T);
          this.#carry = this.#carry.subarray(newline + 1);
          this.#pending -= 1;
          continue;
        }
        const chunk = Buffer.alloc(READ_CHUNK_BYTES);
        const read = readSync(fd, chunk, 0, chunk.length, this.#readOffset);
        if (read === 0) throw new Error(`spool file ${this.path} ended before its ${this.#pending} pending items`);
        this.#readOffset += read;
        this.#carry = Buffer.concat([this.#carry, chunk.subarray(0, read)]);
      }
    } finally {
      closeSync(fd);
    }
    if (this.#pending === 0) this.remove();
    return out;
  }

  remove(): void {
    rmSync(this.path, { force: true });
    this.#readOffset = 0;
    this.#pending = 0;
    this.#carry = Buffer.alloc(0);
  }
}
