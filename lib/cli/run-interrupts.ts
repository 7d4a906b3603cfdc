/** The signals that end a client command: Ctrl-C, a polite kill (`timeout`, a CI cancel), the terminal closed. */
export const INTERRUPT_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** What ended the wait: a signal, or the output gone (EPIPE/EIO on stdout or stderr: terminal or pipe closed). */
export type InterruptCause = (typeof INTERRUPT_SIGNALS)[number] | 'output closed';

/**
 * Every way a command that runs work can be told to end, turned into calls of one handler, so the
 * command stops its session and its executors instead of dying with them still running. stdin is
 * never read: in CI it is /dev/null or closed, and reading a terminal from a background job stops
 * the process (SIGTTIN); a closed terminal sends SIGHUP instead.
 */
export class RunInterrupts {
  #count = 0;
  #outputClosed = false;
  #handler: ((cause: InterruptCause, count: number) => void) | undefined;
  readonly #onSignal = (signal: NodeJS.Signals) => this.#interrupt(signal as InterruptCause);
  readonly #onOutputError = () => {
    if (this.#outputClosed) return;
    this.#outputClosed = true;
    this.#interrupt('output closed');
  };

  /** Start listening now (before anything runs), so an early signal is not the default death. */
  constructor() {
    for (const signal of INTERRUPT_SIGNALS) process.on(signal, this.#onSignal);
    process.stdout.on('error', this.#onOutputError);
    process.stderr.on('error', this.#onOutputError);
  }

  /** How many interruptions came so far. */
  get count(): number {
    return this.#count;
  }

  /** Whether stdout or stderr can no longer be written (nothing more should be printed). */
  get outputClosed(): boolean {
    return this.#outputClosed;
  }

  /** Set who handles the interruptions from now on (undefined: only count them). */
  handle(handler: ((cause: InterruptCause, count: number) => void) | undefined): void {
    this.#handler = handler;
  }

  /** Stop listening to signals (output errors stay ignored: a closed stream must never crash the exit). */
  dispose(): void {
    for (const signal of INTERRUPT_SIGNALS) process.off(signal, this.#onSignal);
    this.#handler = undefined;
  }

  #interrupt(cause: InterruptCause): void {
    this.#count += 1;
    this.#handler?.(cause, this.#count);
  }
}
