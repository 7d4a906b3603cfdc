import type { RunOutcome } from '../../../lib/process/run-outcome.js';
import type { BackoffPolicy } from '../../../lib/retry/backoff.js';
import { decideFinish } from '../../rules/finish-decision.js';
import type { RunRecord } from '../../types.js';
import type { SqlClient } from '../sql-client.js';
import { deliverCallbacks } from './deliver-callbacks.js';
import { getHeldRun } from './get-held-run.js';
import { transitionRun } from './transition-run.js';

/** How a runner says a run ended: the outcome's kind and message, and what the session keeps of it. */
export type FinishReport = Pick<RunOutcome, 'kind' | 'message'> & { result?: unknown; executor_session_id?: string | null };

/**
 * The holding runner reports how the run ended. Infrastructure failures are re-queued with backoff
 * while attempts remain; the outcome's result and executor_session_id are copied to the session.
 */
export async function finishRun(
  sql: SqlClient,
  runId: string,
  runnerId: string,
  outcome: FinishReport,
  now: number,
  backoff: BackoffPolicy,
): Promise<RunRecord> {
  return sql.transaction(async (tx) => finishHeldRun(tx, await getHeldRun(tx, runId, runnerId), outcome, now, backoff));
}

/** finishRun for a run read with getHeldRun (inside a transaction). */
export async function finishHeldRun(tx: SqlClient, run: RunRecord, outcome: FinishReport, now: number, backoff: BackoffPolicy): Promise<RunRecord> {
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
