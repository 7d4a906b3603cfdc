import type { RunOutcome } from '../process/run-outcome.js';
import type { OutboxItem } from './report-outbox.js';

/** One run's part of `POST /v1/runners/:id/reports`: applied by the coordinator as started, events, finished. */
export interface RunReport {
  run_id: string;
  attempt: number;
  started?: { pid?: number };
  events?: Array<{ seq: number; event: Extract<OutboxItem, { kind: 'event' }>['event'] }>;
  finished?: RunOutcome;
}

/**
 * Fold a batch of outbox items into one report per run, keeping each run's order (a run's items are
 * appended started → events → finished, so folding them loses nothing). Pure.
 */
export function toRunReports(batch: readonly OutboxItem[]): RunReport[] {
  const reports = new Map<string, RunReport>();
  for (const item of batch) {
    // A run claimed again (a later attempt) while its earlier attempt's items wait here gets its own report.
    const key = `${item.run_id}#${item.attempt}`;
    let report = reports.get(key);
    if (report === undefined) {
      report = { run_id: item.run_id, attempt: item.attempt };
      reports.set(key, report);
    }
    if (item.kind === 'started') report.started = item.pid === null ? {} : { pid: item.pid };
    else if (item.kind === 'event') (report.events ??= []).push({ seq: item.seq, event: item.event });
    else report.finished = item.outcome;
  }
  return [...reports.values()];
}
