import { isTerminal } from '../../queue/run-transitions.js';
import type { RunRecord } from '../../types.js';
import type { SqlClient } from '../sql-client.js';
import type { AppendResult, IncomingEvent } from './append-events.js';
import { appendHeldRunEvents } from './append-events.js';
import { finishHeldRun, getHeldRun, startHeldRun } from './report-run.js';
import type { Backoff, FinishReport } from '../store.js';

/** What a runner reports about one run it holds, in one go: applied in this order. */
export interface RunReport {
  run_id: string;
  /** The executor started (`claimed → running`); ignored once the run is past `claimed`. */
  started?: { pid?: number | undefined } | undefined;
  events?: readonly IncomingEvent[] | undefined;
  /** How the run ended; a repeat for a run that already ended is ignored (an earlier try got through). */
  finished?: FinishReport | undefined;
}

export interface RunReportApplied {
  run: RunRecord;
  started: boolean;
  events: AppendResult | null;
  finished: boolean;
}

/**
 * Apply a run's report (started, events, finished) in one transaction, idempotently, so a runner may
 * resend a report whose answer it never got: `started` is skipped once the run is running, events it
 * already stored are skipped by their seq, and `finished` is skipped once the run ended.
 */
export async function applyRunReport(sql: SqlClient, runnerId: string, report: RunReport, now: number, backoff: Backoff): Promise<RunReportApplied> {
  return sql.transaction(async (tx) => {
    let run = await getHeldRun(tx, report.run_id, runnerId);
    let started = false;
    if (report.started !== undefined && run.status === 'claimed') {
      run = await startHeldRun(tx, run, now);
      started = true;
    }
    let events: AppendResult | null = null;
    if (report.events !== undefined && report.events.length > 0) {
      events = await appendHeldRunEvents(tx, run, report.events, now);
      run = { ...run, event_seq: events.last_seq };
    }
    let finished = false;
    if (report.finished !== undefined && !isTerminal(run.status)) {
      run = await finishHeldRun(tx, run, report.finished, now, backoff);
      finished = true;
    }
    return { run, started, events, finished };
  });
}
