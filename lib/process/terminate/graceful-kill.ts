import type { ProcessGroup } from '../process-group.js';

/** How long an executor may take to exit after SIGTERM before its group gets SIGKILL. */
export const DEFAULT_GRACE_MS = 10_000;

/**
 * SIGTERM to a whole process group, then SIGKILL once the grace period is over: the executor gets a
 * chance to clean up, and nothing it started (however deep, SIGTERM ignored or not) survives.
 */
export class GracefulKill {
  readonly #group: ProcessGroup;
  readonly #graceMs: number;
  /** Armed by start(); fires SIGKILL when the grace is over. */
  #killTimer: NodeJS.Timeout | undefined;
  #forcefullyKilled = false;

  constructor(group: ProcessGroup, graceMs = DEFAULT_GRACE_MS) {
    this.#group = group;
    this.#graceMs = graceMs;
  }

  /** The grace ran out with processes of the group still there: they got SIGKILL. */
  get forcefullyKilled(): boolean {
    return this.#forcefullyKilled;
  }

  /** Send SIGTERM now and SIGKILL after the grace. Only the first call does anything. */
  start(): void {
    if (this.#killTimer !== undefined) return;
    this.#group.signal('SIGTERM');
    this.#killTimer = setTimeout(() => {
      if (this.#group.signal('SIGKILL')) this.#forcefullyKilled = true;
      this.#group.forget();
    }, this.#graceMs);
  }

  /**
   * The executor's output is closed. An empty group is done with (no SIGKILL needed); a group with
   * processes left still gets its SIGKILL after the grace, but that timer must not keep this process
   * alive (the exit hook of process-group.ts kills the group if we exit first).
   */
  release(): void {
    if (this.#group.isAlive()) {
      this.#killTimer?.unref();
      return;
    }
    clearTimeout(this.#killTimer);
    this.#group.forget();
  }
}
