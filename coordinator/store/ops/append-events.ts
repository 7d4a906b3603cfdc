import { addsUsage, type CountedRunUsage } from '../../rules/run-usage.js';
import type { EventRecord, RunRecord } from '../../types.js';
import type { SqlClient } from '../sql-client.js';
import { placeholders } from '../sql-client.js';
import { countUsageEvent } from './add-usage.js';
import { allocateEventSeqs, lastEventSeq } from './event-seqs.js';
import { getHeldRun } from './get-held-run.js';
import { insertEvents } from './insert-events.js';
import type { EventRow } from '../pending-events.js';
import { SessionUpdate } from './session-update.js';

/** One event as a runner sends it: its per-run sequence number and the executor event. */
export interface IncomingEvent {
  seq: number;
  event: { type: string } & Record<string, unknown>;
}

export interface AppendResult {
  session_id: string;
  accepted: number;
  duplicates: number;
  /** The highest per-run sequence number stored for this run (`seq` values up to it may be missing if sent out of order). */
  last_seq: number;
  /** The session's highest event sequence number after this batch. */
  session_seq: number;
  /** What the run's usage counts after this batch, when its usage events changed it (the caller writes it with the run row). Not for the wire. */
  run_usage?: CountedRunUsage;
  /** Sessions with a budget whose subtree totals the batch changed (written here, without `session`). Not for the wire. */
  budgeted?: string[];
}

/**
 * Append a batch of a run's events, idempotently: an event whose per-run `seq` is already stored (an
 * earlier try of this batch) is skipped, so retries never duplicate and batches may arrive out of
 * order without loss. Each new event gets the next
 * per-session sequence number. `bind`, `usage` and `result` events also update the session.
 * `events` must be sorted by strictly increasing `seq` (the HTTP schema checks it).
 */
export async function appendEvents(
  sql: SqlClient,
  runId: string,
  runnerId: string,
  events: readonly IncomingEvent[],
  now: number,
): Promise<AppendResult> {
  return sql.transaction(async (tx) => appendHeldRunEvents(tx, await getHeldRun(tx, runId, runnerId), events, now));
}

/** Who writes what appending events changes besides the events (appendHeldRunEvents). */
export interface AppendOptions {
  /** Gather the session's change here for the caller to write; without, it is written by the append. */
  session?: SessionUpdate | undefined;
  /** The caller writes the run's new `event_seq` (the result's last_seq) and `usage` (run_usage) with its own update of the run row. */
  callerWritesRunSeq?: boolean | undefined;
}

/** appendEvents for a run read with getHeldRun (inside a transaction). */
export async function appendHeldRunEvents(
  tx: SqlClient,
  run: RunRecord,
  events: readonly IncomingEvent[],
  now: number,
  { session, callerWritesRunSeq = false }: AppendOptions = {},
): Promise<AppendResult> {
  const runId = run.id;
  // Events above the run's highest stored seq are new; at or below it, look up which ones are stored
  // (a retried batch, or a batch that arrived after a later one).
  const maybeStored = events.filter((e) => e.seq <= run.event_seq).map((e) => e.seq);
  const stored = new Set<number>();
  if (maybeStored.length > 0) {
    const rows = await tx.query<{ run_seq: unknown }>(
      `SELECT run_seq FROM events WHERE run_id = ? AND run_seq IN (${placeholders(maybeStored.length)})`,
      [runId, ...maybeStored],
    );
    for (const row of rows) stored.add(Number(row.run_seq));
  }
  const fresh = events.filter((e) => !stored.has(e.seq));
  const duplicates = events.length - fresh.length;
  if (fresh.length === 0) {
    return { session_id: run.session_id, accepted: 0, duplicates, last_seq: run.event_seq, session_seq: await lastEventSeq(tx, run.session_id) };
  }
  const first = await allocateEventSeqs(tx, run.session_id, fresh.length);
  const sessionSeq = first + fresh.length - 1;
  let seq = first - 1;
  const records: EventRecord[] = [];
  const rows: EventRow[] = [];
  for (const e of fresh) {
    rows.push([run.session_id, ++seq, runId, e.seq, e.event.type, JSON.stringify(e.event), now]);
    records.push({ session_id: run.session_id, seq, run_id: runId, run_seq: e.seq, type: e.event.type, data: e.event, created_at: now });
  }
  await insertEvents(tx, rows);
  tx.announce({ kind: 'events', session_id: run.session_id, events: records });
  const lastSeq = Math.max(run.event_seq, fresh[fresh.length - 1]!.seq);
  const facts = applySessionFacts(session ?? new SessionUpdate(run.session_id, run.id), fresh);
  const runUsage = await countRunUsageOf(tx, run, fresh, facts);
  if (!callerWritesRunSeq && (lastSeq !== run.event_seq || runUsage !== undefined)) {
    await tx.query('UPDATE runs SET event_seq = ?, usage = ? WHERE id = ?', [lastSeq, JSON.stringify(runUsage ?? run.usage), runId]);
  }
  const result: AppendResult = { session_id: run.session_id, accepted: fresh.length, duplicates, last_seq: lastSeq, session_seq: sessionSeq };
  if (runUsage !== undefined) result.run_usage = runUsage;
  if (session === undefined) {
    await facts.write(tx, now);
    await facts.flushUsageTotals(tx, now);
    result.budgeted = [...facts.budgeted];
  }
  return result;
}

/**
 * Count the batch's usage events (each the run's totals so far) into the run's usage and the session's
 * totals (see countRunUsage). @returns the run's new `runs.usage`, or undefined when no usage event came.
 */
async function countRunUsageOf(tx: SqlClient, run: RunRecord, events: readonly IncomingEvent[], session: SessionUpdate): Promise<CountedRunUsage | undefined> {
  let counted: CountedRunUsage | undefined;
  let runCounted = run.usage !== null;
  for (const e of events) {
    if (e.event.type !== 'usage') continue;
    const next = await countUsageEvent(tx, counted === undefined ? run : { ...run, usage: counted as unknown as Record<string, unknown> }, e.event);
    if (addsUsage(next.delta)) {
      session.addUsage(next.delta, !runCounted);
      runCounted = true;
    }
    counted = next.counted;
  }
  return counted;
}

/** Gather what the session shows from its events: the bound executor session, the latest usage and the result. */
function applySessionFacts(session: SessionUpdate, events: readonly IncomingEvent[]): SessionUpdate {
  const last = (type: string) => [...events].reverse().find((e) => e.event.type === type)?.event;
  const bind = last('bind');
  if (bind !== undefined) session.bind(String(bind.executor_session_id));
  const usage = last('usage');
  if (usage !== undefined) {
    const { type: _type, ...fields } = usage;
    session.fact('usage', fields);
  }
  // Every result in order: the agent's (report_result) stands over the executor's of the same run.
  for (const e of events) {
    if (e.event.type !== 'result') continue;
    const { type: _type, ...fields } = e.event;
    session.result(fields);
  }
  return session;
}
