import { ApiError, notFound } from '../../api-error.js';
import { decideFinish } from '../../rules/finish-decision.js';
import type { RunRecord } from '../../types.js';
import type { SqlClient } from '../sql-client.js';
import type { RunOutcome } from '../../../lib/process/run-outcome.js';
import { deliverCallbacks } from './deliver-callbacks.js';
import { getRun } from './get-records.js';
import { transitionRun } from './transition-run.js';

/** Read a run for update and check that `runnerId` holds it (403 otherwise). */
export async function getHeldRun(tx: SqlClient, runId: string, runnerId: string): Promise<RunRecord> {
  const run = await getRun(tx, runId, true);
  if (run === null) throw notFound('run', runId);
  return assertHeld(run, runnerId);
}

/** The run, if `runnerId` holds it (403 otherwise). */
export function assertHeld(run: RunRecord, runnerId: string): RunRecord {
  if (run.runner_id !== runnerId) {
    throw new ApiError(403, 'forbidden', `runner ${runnerId} does not hold run ${run.id}`, { run: run.id, runner: runnerId });
  }
  return run;
}

/** The holding runner started the run's executor: `claimed → running`. */
export async function startRun(sql: SqlClient, runId: string, runnerId: string, now: number): Promise<RunRecord> {
  return sql.transaction(async (tx) => startHeldRun(tx, await getHeldRun(tx, runId, runnerId), now));
}

/** `claimed → running` for a run read with getHeldRun (inside a transaction). */
export function startHeldRun(tx: SqlClient, run: RunRecord, now: number): Promise<RunRecord> {
  return transitionRun(tx, run, 'running', { started_at: now }, now);
}

/**
 * The holding runner reports how the run ended. Infrastructure failures are re-queued with backoff
 * while attempts remain; the outcome's result and executor_session_id are copied to the session.
 */
export async function finishRun(
  sql: SqlClient,
  runId: string,
  runnerId: string,
  outcome: Pick<RunOutcome, 'kind' | 'message'> & { result?: unknown; executor_session_id?: string | null },
  now: number,
  backoff: { baseMs: number; maxMs: number },
): Promise<RunRecord> {
  return sql.transaction(async (tx) => finishHeldRun(tx, await getHeldRun(tx, runId, runnerId), outcome, now, backoff));
}

/** finishRun for a run read with getHeldRun (inside a transaction). */
export async function finishHeldRun(
  tx: SqlClient,
  run: RunRecord,
  outcome: Pick<RunOutcome, 'kind' | 'message'> & { result?: unknown; executor_session_id?: string | null },
  now: number,
  backoff: { baseMs: number; maxMs: number },
): Promise<RunRecord> {
  const decision = decideFinish(outcome.kind, run, now, backoff);
  const error = outcome.kind === 'succeeded' ? null : outcome.message;
  const updated =
    decision.retry === null
      ? await transitionRun(tx, run, decision.status, { finished_at: now, outcome, error }, now)
      : await transitionRun(tx, run, 'queued', {
          attempt: decision.retry.attempt, available_at: decision.retry.availableAt, queued_at: now,
          runner_id: null, claimed_at: null, started_at: null, stop_requested: false, outcome, error,
        }, now);
  if (outcome.result !== undefined && outcome.result !== null) {
    // Stored like a result event's fields (without its `type`), as appendEvents stores them.
    const { type: _type, ...result } = outcome.result as Record<string, unknown>;
    await tx.query('UPDATE sessions SET result = ? WHERE id = ? AND last_run_id = ?', [JSON.stringify(result), run.session_id, run.id]);
  }
  if (typeof outcome.executor_session_id === 'string') {
    await tx.query('UPDATE sessions SET executor_session_id = ? WHERE id = ?', [outcome.executor_session_id, run.session_id]);
  }
  // Outcomes of children that ended while this session ran arrive now, together (callback mode).
  if (updated.status === 'succeeded') await deliverCallbacks(tx, run.session_id, now);
  return updated;
}

/** Give a claimed run back to the queue (its long-poll went away before the runner saw it). */
export async function releaseRun(sql: SqlClient, runId: string, now: number): Promise<void> {
  await sql.transaction(async (tx) => {
    const run = await getRun(tx, runId, true);
    if (run === null || run.status !== 'claimed') return;
    await transitionRun(tx, run, 'queued', { runner_id: null, claimed_at: null }, now);
  });
}
