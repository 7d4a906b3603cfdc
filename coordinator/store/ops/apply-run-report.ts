import { isTerminal } from '../../rules/run-transitions.js';
import type { RunRecord } from '../../types.js';
import type { RequeuePolicy } from '../../constants.js';
import type { SqlClient } from '../sql-client.js';
import { ConflictError, NotFoundError } from '../store-errors.js';
import type { AppendResult, IncomingEvent } from './append-events.js';
import { appendHeldRunEvents } from './append-events.js';
import { getRunForUpdateWithSession } from './get-records.js';
import { finishHeldRun, type FinishReport } from './finish-run.js';
import { assertHeld } from './get-held-run.js';
import { SessionUpdate } from './session-update.js';
import { type RunStarted, startHeldRun } from './start-run.js';

/** What a runner reports about one run it holds, in one go (protocol/run-reports.ts' RunReport, parsed): applied in this order. */
export interface RunReportToApply {
  run_id: string;
  /** The attempt this report is about; when given, a report for an attempt that is over is skipped. */
  attempt?: number | undefined;
  /** The executor started (`claimed → running`); ignored once the run is past `claimed`. */
  started?: RunStarted | undefined;
  events?: readonly IncomingEvent[] | undefined;
  /** How the run ended; a repeat for a run that already ended is ignored (an earlier try got through). */
  finished?: FinishReport | undefined;
}

export interface RunReportApplied {
  run: RunRecord;
  /** Why nothing was applied: the report is about an attempt that is over (a late resend). */
  skipped?: string;
  started: boolean;
  events: AppendResult | null;
  finished: boolean;
  /**
   * Sessions with a budget (the run's own or an ancestor) whose subtree usage this report changed: the ones
   * whose budget to check.
   */
  budgeted: string[];
}

/**
 * Apply a run's report (started, events, finished) in one transaction, idempotently, so a runner may
 * resend a report whose answer it never got: `started` is skipped once the run is running, events it
 * already stored are skipped by their seq, and `finished` is skipped once the run ended. A report that
 * names its attempt is skipped whole once the run moved on to a later attempt (a resent infra failure
 * must not end the retry that it caused). The session row is written once for all of it.
 */
export async function applyRunReport(sql: SqlClient, runnerId: string, report: RunReportToApply, now: number, policy: RequeuePolicy): Promise<RunReportApplied> {
  return sql.transaction(async (tx) => {
    const current = await getRunForUpdateWithSession(tx, report.run_id);
    if (current === null) throw new NotFoundError('run', report.run_id);
    if (report.attempt !== undefined && report.attempt < current.attempt) {
      // A resend of a report that was applied (it ended that attempt), or of one that no longer matters
      // (the attempt was lost): either way it must not touch the attempt running now.
      const skipped = `attempt ${report.attempt} of run ${current.id} is over (it is on attempt ${current.attempt})`;
      return { run: current, skipped, started: false, events: null, finished: false, budgeted: [] };
    }
    if (report.attempt !== undefined && report.attempt > current.attempt) {
      throw new ConflictError(`run ${current.id} has no attempt ${report.attempt} (it is on attempt ${current.attempt})`, {
        run: current.id,
        attempt: current.attempt,
      });
    }
    let run = assertHeld(current, runnerId);
    const session = new SessionUpdate(run.session_id, run.id);
    let started = false;
    if (report.started !== undefined && run.status === 'claimed') {
      run = await startHeldRun(tx, run, now, session, report.started);
      started = true;
    }
    // A run that ends in this report gets its event counter with its end: one write of the run row.
    const finishing = report.finished !== undefined && !isTerminal(run.status);
    let events: AppendResult | null = null;
    const runColumns: { event_seq?: number; usage?: unknown } = {};
    if (report.events !== undefined && report.events.length > 0) {
      events = await appendHeldRunEvents(tx, run, report.events, now, { session, callerWritesRunSeq: finishing });
      if (events.last_seq !== run.event_seq) runColumns.event_seq = events.last_seq;
      if (events.run_usage !== undefined) runColumns.usage = events.run_usage;
    }
    let finished = false;
    if (finishing) {
      run = await finishHeldRun(tx, run, report.finished!, now, policy, session, runColumns);
      finished = true;
    } else {
      run = { ...run, ...(runColumns as Partial<RunRecord>) };
    }
    await session.write(tx, now);
    // Last: no session row is written after the agent's and executor's totals (addUsageTotals).
    await session.flushUsageTotals(tx, now);
    return { run, started, events, finished, budgeted: [...session.budgeted] };
  });
}

/** One report of a batch: what applying it did, or the error that refused it. */
export type RunReportOutcome = { applied: RunReportApplied; error?: undefined } | { applied?: undefined; error: unknown };

/**
 * Apply a runner's batch of reports (one per run). Each report must stand alone: one refused (403, 404,
 * 409) does not touch the others. On SQLite concurrent transactions share one commit already, so each
 * report gets its own. On PostgreSQL a transaction's BEGIN and COMMIT are two round trips and each COMMIT
 * flushes the WAL, so a batch of several reports is first tried as one transaction, the reports applied
 * in the order sent; should any be refused or any statement fail (a deadlock included, after its
 * retries), that transaction is rolled back whole and every report is applied in its own, as on SQLite.
 */
export async function applyRunReports(
  sql: SqlClient,
  runnerId: string,
  reports: readonly RunReportToApply[],
  now: number,
  policy: RequeuePolicy,
): Promise<RunReportOutcome[]> {
  if (sql.dialect === 'postgres' && reports.length > 1) {
    const together = await sql
      .transaction(async (tx) => {
        const applied: RunReportApplied[] = [];
        for (const report of reports) applied.push(await applyRunReport(tx, runnerId, report, now, policy));
        return applied;
      })
      .catch(() => null);
    if (together !== null) return together.map((applied) => ({ applied }));
  }
  return Promise.all(
    reports.map((report) =>
      applyRunReport(sql, runnerId, report, now, policy).then(
        (applied) => ({ applied }),
        (error: unknown) => ({ error }),
      ),
    ),
  );
}
