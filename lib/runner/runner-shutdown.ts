import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';

/** After a shutdown's drain and cancel, how long outcomes and events may still wait for the coordinator. */
export const REPORT_DEADLINE_MS = 15_000;

/** What a runner exited without delivering. */
export interface Undelivered {
  runs: string[];
  events: number;
}

/** What the runner does at each point of its shutdown; RunnerShutdown decides when. */
export interface ShutdownSteps {
  /** End the claim loop (`stopping` is already aborted; heartbeats go on until `leave`); resolves once the loop has ended. */
  stopClaiming(): Promise<void>;
  /** Resolves once every run active now has ended and its report was delivered or given up on. */
  runsSettled(): Promise<void>;
  /** Cancel every executor still running, saying why in the log. */
  cancelRuns(why: string): void;
  /** The runs and events not delivered yet; undefined when no run is left. */
  undelivered(): Undelivered | undefined;
  /** Stop heartbeating, deregister and close the connection to the coordinator. */
  leave(): Promise<void>;
}

export interface RunnerShutdownOptions {
  /** How long running executors may take to finish before they are cancelled. */
  drainTimeoutMs: number;
  /** The executors' SIGTERM → SIGKILL grace: a cancelled run may take this long to end. */
  graceMs: number;
  logger: Pick<Logger, 'error'>;
}

/**
 * The runner's way out: stop claiming, let running executors finish within the drain timeout, cancel
 * what is left, wait for their reports, deregister. A coordinator that does not answer cannot hold it
 * forever: REPORT_DEADLINE_MS after the grace of the last cancel, it stops waiting for deliveries.
 */
export class RunnerShutdown {
  readonly #steps: ShutdownSteps;
  readonly #options: RunnerShutdownOptions;
  readonly #stopping = new AbortController();
  readonly #gaveUp = new AbortController();
  /** Armed by a second request: the report deadline counted from that cancel. */
  #cancelledDeadline: NodeJS.Timeout | undefined;
  #undelivered: Undelivered | undefined;

  constructor(steps: ShutdownSteps, options: RunnerShutdownOptions) {
    this.#steps = steps;
    this.#options = options;
    // The runner's waits listen on these: each ended run awaiting delivery (on `gaveUp`), the poll and its
    // retry's sleep (on `stopping`). A runner of many slots whose coordinator is down holds more than
    // Node's default of 10 at once; each wait removes its listener when it ends: no leak to warn of.
    setMaxListeners(0, this.#stopping.signal, this.#gaveUp.signal);
  }

  /** Aborted once the shutdown began: claim nothing more, stop retrying registration (heartbeats go on until leaving). */
  get stopping(): AbortSignal {
    return this.#stopping.signal;
  }

  /** Aborted when the shutdown stopped waiting for an unreachable coordinator to take the reports. */
  get gaveUp(): AbortSignal {
    return this.#gaveUp.signal;
  }

  /** Set when the shutdown gave up delivering: what was left behind. */
  get undelivered(): Undelivered | undefined {
    return this.#undelivered;
  }

  /**
   * The first request runs the whole shutdown and resolves when it is over. A later one (a second
   * Ctrl-C) cancels the remaining runs at once and returns; the first request still finishes the rest.
   */
  async request(): Promise<void> {
    if (this.#stopping.signal.aborted) {
      this.#cancelNow('second shutdown signal');
      return;
    }
    this.#stopping.abort();
    await this.#steps.stopClaiming();
    const { drainTimeoutMs, graceMs } = this.#options;
    const settled = this.#steps.runsSettled();
    const drainTimer = setTimeout(() => this.#steps.cancelRuns(`drain timeout (${drainTimeoutMs} ms)`), drainTimeoutMs);
    const deadline = setTimeout(() => this.#giveUp(), drainTimeoutMs + graceMs + REPORT_DEADLINE_MS);
    await settled;
    clearTimeout(drainTimer);
    clearTimeout(deadline);
    clearTimeout(this.#cancelledDeadline);
    await this.#steps.leave();
  }

  /** Cancel every run now, and stop waiting for the coordinator the grace plus REPORT_DEADLINE_MS later. */
  #cancelNow(why: string): void {
    this.#steps.cancelRuns(why);
    this.#cancelledDeadline ??= setTimeout(() => this.#giveUp(), this.#options.graceMs + REPORT_DEADLINE_MS).unref();
  }

  /** Give up delivering to a coordinator that does not answer, noting what is left behind. */
  #giveUp(): void {
    if (this.#gaveUp.signal.aborted) return;
    const left = this.#steps.undelivered();
    if (left !== undefined) {
      this.#undelivered = left;
      this.#options.logger.error(left, 'exiting without delivering the events and outcomes of these runs: the coordinator does not answer (events stay in the spool file)');
    }
    this.#gaveUp.abort();
  }
}
