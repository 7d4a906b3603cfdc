import { isTerminal } from '../../rules/run-transitions.js';
import { sessionStatusFor } from '../../rules/session-status.js';
import type { RunRecord } from '../../types.js';
import type { SqlClient } from '../sql-client.js';

/** A session column and the value a transaction sets it to. */
type Assignment = { column: string; value: unknown };

/**
 * What one transaction changes on a session row because of one of its runs, gathered so the row is
 * written once however many things changed (started, a usage and a result event, then finished, in one
 * report). Fields that describe the session's latest run (status, runner, end, usage, result) are set only
 * while this run is the session's latest (`last_run_id`); the executor's session id binds the session
 * whichever run reported it.
 *
 * Nothing is written until `write`; a transaction that reads the session row after gathering must write
 * first (transitionRun does, before a finished run's outcome is read for its callback).
 */
export class SessionUpdate {
  private readonly latest = new Map<string, unknown>();
  private executorSessionId: string | undefined;

  constructor(
    readonly sessionId: string,
    readonly runId: string,
  ) {}

  /**
   * The session follows its latest run's status: its status, runner and end time. A claim changes none
   * of them that anyone sees (the session stays `queued`): the runner is named once it starts the run.
   */
  followRun(run: RunRecord, now: number): this {
    if (run.status === 'claimed') return this;
    this.latest.set('status', sessionStatusFor(run.status));
    this.latest.set('runner_id', run.runner_id);
    this.latest.set('ended_at', isTerminal(run.status) ? now : null);
    return this;
  }

  /** The latest usage or result the run reported (stored as the event's fields, without `type`). */
  fact(column: 'usage' | 'result', fields: Record<string, unknown>): this {
    this.latest.set(column, JSON.stringify(fields));
    return this;
  }

  /** The executor's own session id, to resume it with. */
  bind(executorSessionId: string): this {
    this.executorSessionId = executorSessionId;
    return this;
  }

  get pending(): boolean {
    return this.latest.size > 0 || this.executorSessionId !== undefined;
  }

  /** Write what was gathered in one UPDATE (none when nothing was), and start gathering afresh. */
  async write(tx: SqlClient, now: number): Promise<void> {
    if (!this.pending) return;
    const sets: Assignment[] = [{ column: 'updated_at', value: now }];
    const params: unknown[] = [];
    const clauses: string[] = [];
    let where = 'id = ?';
    if (this.executorSessionId === undefined) {
      // Only the latest run's facts: an older run's report leaves the row alone.
      for (const [column, value] of this.latest) sets.push({ column, value });
      where += ' AND last_run_id = ?';
    } else {
      sets.push({ column: 'executor_session_id', value: this.executorSessionId });
      for (const [column, value] of this.latest) {
        clauses.push(`${column} = CASE WHEN last_run_id = ? THEN ? ELSE ${column} END`);
        params.push(this.runId, value);
      }
    }
    const assignments = [...sets.map((s) => `${s.column} = ?`), ...clauses];
    const values = [...sets.map((s) => s.value), ...params, this.sessionId];
    if (this.executorSessionId === undefined) values.push(this.runId);
    await tx.query(`UPDATE sessions SET ${assignments.join(', ')} WHERE ${where}`, values);
    this.latest.clear();
    this.executorSessionId = undefined;
  }
}
