// What the peers bench asks of each system it measures: its processes (for the CPU meter), a batch of runs,
// and an end. Times are ms since the epoch (Date.now() here, in the system's processes and in PostgreSQL:
// one machine, one clock).
import type { MeteredProcess } from './cpu-meter.js';

/** How often a wait polls a system that has no push notification of the state it waits for. */
export const POLL_MS = 100;

/** When each run of a batch was submitted (its client call began) and done (the system recorded its success). */
export interface RunTimes {
  submittedAt: number;
  doneAt: number;
}

export interface PeerSystem {
  readonly name: string;
  /** Its processes now: every one that works for it (servers, workers, database backends), never this bench process. */
  processes(): Promise<MeteredProcess[]>;
  /** Resolves once it is idle: nothing in flight, its workers waiting for work. */
  settle(): Promise<void>;
  /**
   * Submit `n` runs as fast as its own client allows and resolve once every one is done; then `times`
   * reads each run's times (after the CPU window closed: reading them is not the batch's work).
   */
  batch(n: number): Promise<{ times: () => Promise<RunTimes[]> }>;
  stop(): Promise<void>;
}

/** Resolve after `ms` (the pause between two polls of a system with nothing to wait on). */
export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
