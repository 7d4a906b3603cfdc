import { parseEventLine, type OutputStream } from '../events/parse-event-line.js';
import type { ExecutorEvent, ResultEvent } from '../../protocol/executor-event.js';
import { LineSplitter, MAX_LINE_BYTES, type Line } from './line-splitter.js';
import { StderrTail } from './stderr-tail.js';

/**
 * An executor's stdout and stderr turned into events, as they arrive, plus what the outcome needs from
 * them: the last `result`, the session its last `bind` named, and the tail of stderr.
 */
export class ExecutorOutput {
  readonly #onEvent: ((event: ExecutorEvent, stream: OutputStream) => void) | undefined;
  readonly #stdout: LineSplitter;
  readonly #stderr: LineSplitter;
  readonly #stderrTail = new StderrTail();
  #result: ResultEvent | null = null;
  #executorSessionId: string | null = null;

  constructor(onEvent: ((event: ExecutorEvent, stream: OutputStream) => void) | undefined, maxLineBytes = MAX_LINE_BYTES) {
    this.#onEvent = onEvent;
    this.#stdout = new LineSplitter((line) => this.#onLine(line, 'stdout'), maxLineBytes);
    this.#stderr = new LineSplitter((line) => this.#onLine(line, 'stderr'), maxLineBytes);
  }

  /** The last `result` event, if any. */
  get result(): ResultEvent | null {
    return this.#result;
  }

  /** From the last `bind` event, if any. */
  get executorSessionId(): string | null {
    return this.#executorSessionId;
  }

  /** The last lines of stderr, to explain a failure. */
  get stderrTail(): string {
    return this.#stderrTail.toString();
  }

  /** Read a chunk of one stream; complete lines become events at once. */
  push(stream: OutputStream, chunk: Buffer): void {
    (stream === 'stdout' ? this.#stdout : this.#stderr).push(chunk);
  }

  /** Both streams are closed: a last line without a newline still counts. */
  end(): void {
    this.#stdout.end();
    this.#stderr.end();
  }

  #onLine(line: Line, stream: OutputStream): void {
    if (stream === 'stderr') this.#stderrTail.add(line.text);
    const event = parseEventLine(line, stream);
    if (event === undefined) return;
    if (event.type === 'result') this.#result = event;
    else if (event.type === 'bind') this.#executorSessionId = event.executor_session_id;
    this.#onEvent?.(event, stream);
  }
}
