import type { EventRecord, RunRecord } from '../../types.js';
import type { SqlClient } from '../sql-client.js';
import { allocateEventSeqs } from './event-seqs.js';
import { insertEvents } from './insert-events.js';
import type { EventRow } from '../pending-events.js';

/** The `run_status` event recorded for each state a run enters. */
export interface RunStatusEvent {
  type: 'run_status';
  run_id: string;
  status: RunRecord['status'];
  attempt: number;
  runner_id: string | null;
  /** Why, on the change that set it (a failure, a loss, a retry): the run's error, or the outcome's message. */
  message?: string;
  /** The outcome's kind, when a runner reported one. */
  kind?: string;
}

/**
 * Record a run's new status as an event of its session (next session `seq`; run_seq -1, -2, ... from the
 * run's status counter, which the statement that changed the status advanced: `statusSeq` is its new value).
 * Call inside the transaction that changed the status, so the event and the change are stored together.
 * `message` says why (given only by the change that set the reason, so a retry's later `claimed` and
 * `running` do not repeat the error of the attempt before).
 */
export async function appendRunStatusEvent(tx: SqlClient, run: RunRecord, statusSeq: number, now: number, message?: string | null): Promise<void> {
  await appendRunStatusEvents(tx, [{ run, statusSeq, message }], now);
}

/** appendRunStatusEvent for several runs (of distinct sessions or not), their events stored together. */
export async function appendRunStatusEvents(
  tx: SqlClient,
  changes: readonly { run: RunRecord; statusSeq: number; message?: string | null | undefined }[],
  now: number,
): Promise<void> {
  const rows: EventRow[] = [];
  const announced: Array<() => void> = [];
  for (const { run, statusSeq, message } of changes) {
    const outcome = run.outcome as { kind?: string; message?: string } | null;
    const event: RunStatusEvent = { type: 'run_status', run_id: run.id, status: run.status, attempt: run.attempt, runner_id: run.runner_id };
    if (message !== undefined && message !== null) event.message = message;
    if (outcome?.kind !== undefined) event.kind = outcome.kind;
    const seq = await allocateEventSeqs(tx, run.session_id, 1);
    rows.push([run.session_id, seq, run.id, -statusSeq, 'run_status', JSON.stringify(event), now]);
    announced.push(() => announceStatus(tx, run, event, seq, -statusSeq, now));
  }
  await insertEvents(tx, rows);
  for (const announce of announced) announce();
}

/** Announce the stored event to the session's watchers and, for a run queued to be taken now, to the parked polls. */
function announceStatus(tx: SqlClient, run: RunRecord, event: RunStatusEvent, seq: number, runSeq: number, now: number): void {
  const record: EventRecord = { session_id: run.session_id, seq, run_id: run.id, run_seq: runSeq, type: 'run_status', data: { ...event }, created_at: now };
  tx.announce({ kind: 'events', session_id: run.session_id, events: [record] });
  if (run.status === 'queued' && run.available_at <= now) {
    tx.announce({ kind: 'claimable', requirement: { executor: run.executor, tags: run.tags, excluded_runners: run.excluded_runners } });
  }
}
