import type { ProcessGroup } from '../process-group.js';
import type { ExitFacts } from '../run-outcome.js';
import { listenForCancel } from './cancel.js';
import { GracefulKill } from './graceful-kill.js';
import { sweepLeftovers } from './sweep-leftovers.js';
import { armTimeout } from './timeout.js';

/** Why we ended an executor ourselves. */
export type TerminationReason = NonNullable<ExitFacts['terminatedFor']>;

export interface TerminationOptions {
  /** The executor's process group; undefined when it could not be started (nothing to terminate). */
  group: ProcessGroup | undefined;
  /** SIGTERM → SIGKILL delay. */
  graceMs: number;
  /** Terminate after this many ms (reason `timeout`). */
  timeoutMs?: number | undefined;
  /** Abort to terminate (reason `cancel`). */
  signal?: AbortSignal | undefined;
}

/**
 * The end of one executor as far as its process group goes: the run timeout or a cancel terminates the
 * group (SIGTERM, grace, SIGKILL), and when the executor exits on its own whatever it left running is
 * terminated the same way. Call `executorExited` and `outputClosed` as those happen.
 */
export class Termination {
  readonly #group: ProcessGroup | undefined;
  readonly #kill: GracefulKill | undefined;
  readonly #stopWatching: Array<() => void>;
  #reason: TerminationReason | null = null;
  #leftProcessesBehind = false;

  constructor(options: TerminationOptions) {
    this.#group = options.group;
    this.#kill = options.group === undefined ? undefined : new GracefulKill(options.group, options.graceMs);
    this.#stopWatching = [
      armTimeout(options.timeoutMs, () => this.#terminate('timeout')),
      listenForCancel(options.signal, () => this.#terminate('cancel')),
    ];
  }

  /** Why we terminated the executor; null when we did not (it ended on its own). */
  get reason(): TerminationReason | null {
    return this.#reason;
  }

  /** Its group had to be SIGKILLed after the grace. */
  get forcefullyKilled(): boolean {
    return this.#kill?.forcefullyKilled ?? false;
  }

  /** Processes of its group still ran when it exited on its own (they are being terminated). */
  get leftProcessesBehind(): boolean {
    return this.#leftProcessesBehind;
  }

  /**
   * The executor process exited: no timeout or cancel applies any more. After our own SIGTERM the group is
   * already on its way out; otherwise what is left of it is swept.
   */
  executorExited(): void {
    this.#disarm();
    if (this.#group === undefined || this.#kill === undefined || this.#reason !== null) return;
    this.#leftProcessesBehind = sweepLeftovers(this.#group, this.#kill);
  }

  /** All its output was read (or it never started): stop watching, and let go of the group if it is empty. */
  outputClosed(): void {
    this.#disarm();
    this.#kill?.release();
  }

  #terminate(reason: TerminationReason): void {
    if (this.#kill === undefined || this.#reason !== null) return;
    this.#reason = reason;
    this.#kill.start();
  }

  #disarm(): void {
    for (const stop of this.#stopWatching) stop();
  }
}
