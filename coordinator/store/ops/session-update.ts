import { isTerminal } from '../../rules/run-transitions.js';
import { addsUsage, sumUsage } from '../../rules/run-usage.js';
import { sessionStatusFor } from '../../rules/session-status.js';
import { ZERO_USAGE, type UsageTotals } from '../../../protocol/tree.js';
import type { RunRecord } from '../../types.js';
import type { SqlClient } from '../sql-client.js';
import { addCounters, addToAncestors, addUsageTotals, counterValues } from './add-usage.js';

/** A session column and the value a transaction sets it to. */
type Assignment = { column: string; value: unknown };

/** What an agent reported with `report_result` carries (the MCP tool sets it on its result event). */
export const AGENT_RESULT_VIA = 'report_result';

/** The start of a session's stored result when the agent reported it with `report_result` in run `runId`. */
function agentResultPrefix(runId: string): string {
  return `{"via":${JSON.stringify(AGENT_RESULT_VIA)},"run_id":${JSON.stringify(runId)}`;
}

/**
 * What one transaction changes on a session row because of one of its runs, gathered so the row is
 * written once however many things changed (started, a usage and a result event, then finished, in one
 * report). Fields that describe the session's latest run (status, runner, end, usage, result) are set only
 * while this run is the session's latest (`last_run_id`); the executor's session id binds the session
 * whichever run reported it, and usage counts whichever run reported it: the session's own totals and its
 * subtree's in the same write, then each ancestor's subtree totals (see addToAncestors), and, once the
 * transaction wrote every session row it writes, the agent's and executor's totals (`flushUsageTotals`).
 *
 * Result precedence: a result the agent reported with `report_result` in a run stands for that run; the
 * executor's own final result (a result event, the outcome's) replaces a session's result unless it is
 * the agent's of the same run.
 *
 * Nothing is written until `write`; a transaction that reads the session row after gathering must write
 * first (transitionRun does, before a finished run's outcome is read for its callback).
 */
export class SessionUpdate {
  private readonly latest = new Map<string, unknown>();
  private executorSessionId: string | undefined;
  /** The executor's result, set unless the agent's result of this run is the session's. */
  private executorResult: string | undefined;
  private usageDelta: UsageTotals = { ...ZERO_USAGE };
  private usageRuns = 0;
  /** Usage added to session rows, for the agent's and executor's totals. */
  private unflushed: { agent: string | null; executor: string | null; delta: UsageTotals; runs: number } | null = null;
  /** Sessions (this one or its ancestors) with a budget whose subtree totals this update changed. */
  readonly budgeted = new Set<string>();

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
    // A park lasts while its run waits queued; any other step of the run ends it (park() sets it again).
    this.park(null);
    return this;
  }

  /** The latest run's park for a rate limit (null: none): what `sessions show`, `status` and the tree say it waits for. */
  park(park: { until: number; profile: string | null; reason: string } | null): this {
    this.latest.set('parked_until', park?.until ?? null);
    this.latest.set('park_profile', park?.profile ?? null);
    this.latest.set('park_reason', park?.reason ?? null);
    return this;
  }

  /** The latest usage or result the run reported (stored as the event's fields, without `type`; a result as `result` takes it). */
  fact(column: 'usage' | 'result', fields: Record<string, unknown>): this {
    if (column === 'result') return this.result(fields);
    this.latest.set(column, JSON.stringify(fields));
    return this;
  }

  /**
   * A result of the run (a result event's fields, without `type`): the agent's (`report_result`) stands;
   * the executor's is set only if the agent reported none in this run (see the class comment).
   */
  result(fields: Record<string, unknown>): this {
    const { via, run_id: _runId, ...rest } = fields;
    if (via === AGENT_RESULT_VIA) {
      this.latest.set('result', JSON.stringify({ via: AGENT_RESULT_VIA, run_id: this.runId, ...rest }));
      this.executorResult = undefined;
    } else if (!this.latest.has('result')) {
      this.executorResult = JSON.stringify(fields);
    }
    return this;
  }

  /** Usage the run added (countRunUsage's delta); `firstOfRun` when it is the run's first report of usage. */
  addUsage(delta: UsageTotals, firstOfRun: boolean): this {
    this.usageDelta = sumUsage(this.usageDelta, delta);
    if (firstOfRun) this.usageRuns += 1;
    return this;
  }

  /** The executor's own session id, to resume it with. */
  bind(executorSessionId: string): this {
    this.executorSessionId = executorSessionId;
    return this;
  }

  get pending(): boolean {
    return this.latest.size > 0 || this.executorSessionId !== undefined || this.executorResult !== undefined || addsUsage(this.usageDelta);
  }

  /** Write what was gathered in one UPDATE of the session row (none when nothing was), its ancestors' totals, and start gathering afresh. */
  async write(tx: SqlClient, now: number): Promise<void> {
    if (!this.pending) return;
    const usage = addsUsage(this.usageDelta);
    const sets: Assignment[] = [{ column: 'updated_at', value: now }];
    const params: unknown[] = [];
    const clauses: string[] = [];
    let where = 'id = ?';
    // Only the latest run's facts: an older run's report leaves them alone (but binds, and counts its usage).
    const whereLatest = this.executorSessionId === undefined && !usage;
    if (whereLatest) {
      for (const [column, value] of this.latest) sets.push({ column, value });
      where += ' AND last_run_id = ?';
    } else {
      if (this.executorSessionId !== undefined) sets.push({ column: 'executor_session_id', value: this.executorSessionId });
      for (const [column, value] of this.latest) {
        clauses.push(`${column} = CASE WHEN last_run_id = ? THEN ? ELSE ${column} END`);
        params.push(this.runId, value);
      }
    }
    if (this.executorResult !== undefined) {
      // Not over the agent's own result of this run (report_result), whatever the order they came in.
      const prefix = agentResultPrefix(this.runId);
      clauses.push(`result = CASE WHEN last_run_id = ? AND (result IS NULL OR substr(result, 1, ${prefix.length}) <> ?) THEN ? ELSE result END`);
      params.push(this.runId, prefix, this.executorResult);
    }
    if (usage) {
      clauses.push(addCounters(''), addCounters('tree_'));
      params.push(...counterValues(this.usageDelta), ...counterValues(this.usageDelta));
    }
    const assignments = [...sets.map((s) => `${s.column} = ?`), ...clauses];
    const values = [...sets.map((s) => s.value), ...params, this.sessionId];
    if (whereLatest) values.push(this.runId);
    const returning = usage ? ' RETURNING agent, executor, budget, ancestors' : '';
    const rows = await tx.query<Record<string, unknown>>(`UPDATE sessions SET ${assignments.join(', ')} WHERE ${where}${returning}`, values);
    const row = rows[0];
    if (usage && row !== undefined) {
      if (row.budget !== null && row.budget !== undefined) this.budgeted.add(this.sessionId);
      const ancestors = JSON.parse(String(row.ancestors ?? '[]')) as string[];
      for (const id of await addToAncestors(tx, ancestors, this.usageDelta, now)) this.budgeted.add(id);
      const agent = row.agent === null || row.agent === undefined ? null : String(row.agent);
      const executor = row.executor === null || row.executor === undefined ? null : String(row.executor);
      const before = this.unflushed;
      this.unflushed = {
        agent,
        executor,
        delta: before === null ? this.usageDelta : sumUsage(before.delta, this.usageDelta),
        runs: (before?.runs ?? 0) + this.usageRuns,
      };
    }
    this.latest.clear();
    this.executorSessionId = undefined;
    this.executorResult = undefined;
    this.usageDelta = { ...ZERO_USAGE };
    this.usageRuns = 0;
  }

  /**
   * Add the usage written to session rows to its agent's and executor's totals. Call last in the
   * transaction, after every session row it writes (addUsageTotals says why).
   */
  async flushUsageTotals(tx: SqlClient, now: number): Promise<void> {
    const pending = this.unflushed;
    this.unflushed = null;
    if (pending !== null) await addUsageTotals(tx, pending.agent, pending.executor, pending.delta, now, pending.runs);
  }
}
