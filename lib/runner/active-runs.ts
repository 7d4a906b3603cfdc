/** A run this runner claimed and has not finished reporting. */
export interface ActiveRun {
  sessionId: string;
  /** The attempt this runner was given. */
  attempt: number;
  /** Aborted to cancel the run's executor. */
  controller: AbortController;
  /** Its executor has ended (the run waits for its report to be delivered). */
  executorEnded: boolean;
  /** Resolves once the run has left this runner: reported, or given up on at shutdown. */
  settled: Promise<void>;
}

/**
 * The runs a runner holds, from their claim until their report is delivered: a run keeps its place
 * after its executor ended (the slot is free, the report not yet sent), so it can still be cancelled
 * or waited for by id.
 */
export class ActiveRuns {
  readonly #runs = new Map<string, ActiveRun>();

  /** Ids of the runs held now. */
  get ids(): string[] {
    return [...this.#runs.keys()];
  }

  get size(): number {
    return this.#runs.size;
  }

  /** Hold a newly claimed run (replacing an earlier attempt of the same run). */
  add(runId: string, sessionId: string, attempt = 1): ActiveRun {
    const run: ActiveRun = { sessionId, attempt, controller: new AbortController(), executorEnded: false, settled: Promise.resolve() };
    this.#runs.set(runId, run);
    return run;
  }

  /** Whether this attempt of the run is held here already (its executor runs, or its report is on its way). */
  holds(runId: string, attempt: number): boolean {
    return this.#runs.get(runId)?.attempt === attempt;
  }

  /** Let go of `run`, unless the run was claimed again meanwhile (a later attempt, now the held one). */
  remove(runId: string, run: ActiveRun): boolean {
    if (this.#runs.get(runId) !== run) return false;
    this.#runs.delete(runId);
    return true;
  }

  /** Runs whose executor has not ended yet (what the concurrency limits). */
  executingCount(): number {
    let count = 0;
    for (const run of this.#runs.values()) if (!run.executorEnded) count += 1;
    return count;
  }

  /** The run of `sessionId` whose executor still runs and was not cancelled. */
  executingRunOf(sessionId: string): string | undefined {
    for (const [runId, run] of this.#runs) {
      if (run.sessionId === sessionId && !run.executorEnded && !run.controller.signal.aborted) return runId;
    }
    return undefined;
  }

  /** Cancel a run's executor. False when there is nothing to stop (unknown, ended, already cancelled). */
  cancel(runId: string): boolean {
    const run = this.#runs.get(runId);
    if (run === undefined || run.executorEnded || run.controller.signal.aborted) return false;
    run.controller.abort();
    return true;
  }

  /** Cancel every run held (for a run whose executor already ended this changes nothing). */
  cancelAll(): void {
    for (const run of this.#runs.values()) run.controller.abort();
  }

  /** Resolves once every run held now has settled. */
  settled(): Promise<void> {
    return Promise.all([...this.#runs.values()].map((run) => run.settled)).then(() => undefined);
  }
}
