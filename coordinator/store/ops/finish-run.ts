import type { RunOutcome } from '../../../lib/process/run-outcome.js';
import type { RequeuePolicy } from '../../constants.js';
import { type BudgetStop, describeStopReason } from '../../budget/budget-rules.js';
import { decideFinish } from '../../rules/finish-decision.js';
import { runnerCanServe } from '../../rules/matching.js';
import { unplaceableReason } from '../../rules/placement.js';
import type { RunRecord } from '../../types.js';
import type { SqlClient } from '../sql-client.js';
import { deliverCallbacks } from './deliver-callbacks.js';
import { getHeldRun } from './get-held-run.js';
import { listOnlineRunners } from './list-online-runners.js';
import { SessionUpdate } from './session-update.js';
import { transitionRun, type RunPatch } from './transition-run.js';
import { lastRateLimit, parkable, parkRun } from './park-run.js';

/** How a runner says a run ended: the outcome's kind, message and exit code, and what the session keeps of it. */
export type FinishReport = Pick<RunOutcome, 'kind' | 'message'> & {
  exit_code?: number | null | undefined;
  result?: unknown;
  executor_session_id?: string | null;
};

/** `error` preceded by why the coordinator stopped the session's tree, when it did (a budget passed). */
async function withStopReason(tx: SqlClient, sessionId: string, error: string): Promise<string> {
  const [row] = await tx.query<{ stop_reason: string | null }>('SELECT stop_reason FROM sessions WHERE id = ?', [sessionId]);
  if (row?.stop_reason === null || row?.stop_reason === undefined) return error;
  return `stopped for its tree's budget (${describeStopReason(JSON.parse(row.stop_reason) as BudgetStop)}): ${error}`;
}

/** Whether the executor itself ended the run with exit 75 (not the runner before it, e.g. a blueprint it could not fetch). */
export function executorTempFailed(outcome: FinishReport): boolean {
  return outcome.kind === 'infra_failed' && typeof outcome.exit_code === 'number';
}

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
  policy: RequeuePolicy,
): Promise<RunRecord> {
  return sql.transaction(async (tx) => finishHeldRun(tx, await getHeldRun(tx, runId, runnerId), outcome, now, policy));
}

/**
 * finishRun for a run read with getHeldRun (inside a transaction). When the executor itself exited 75, its
 * runner is excluded from the run's retries, and a retry no other online runner can take is not made: the
 * run fails with the outcome's message and why it was not retried. The session row is written once, with
 * what `session` gathered before (a report's start and events) and this end; `runColumns` are the run's new
 * event counter and usage when the report's events were stored without writing them (applyRunReport).
 */
export async function finishHeldRun(
  tx: SqlClient,
  run: RunRecord,
  outcome: FinishReport,
  now: number,
  policy: RequeuePolicy,
  session: SessionUpdate = new SessionUpdate(run.session_id, run.id),
  runColumns: Pick<RunPatch, 'event_seq' | 'usage'> = {},
): Promise<RunRecord> {
  // A rate limit parks the run (no attempt charged, its runner not excluded), bounded by MAX_PARKS_PER_RUN.
  const limit = executorTempFailed(outcome) ? await lastRateLimit(tx, run) : null;
  if (parkable(run, limit)) {
    if (typeof outcome.executor_session_id === 'string') session.bind(outcome.executor_session_id);
    const bound = typeof outcome.executor_session_id === 'string' ? outcome.executor_session_id : null;
    const error = `parked for a rate limit: ${limit.message}`;
    const parked = await parkRun(tx, run, limit, bound, now, policy.leaseMs, session, { outcome, error, ...runColumns });
    await session.write(tx, now);
    return parked;
  }
  const excludes = executorTempFailed(outcome) && run.runner_id !== null && !run.excluded_runners.includes(run.runner_id);
  const retryRun = excludes ? { ...run, excluded_runners: [...run.excluded_runners, run.runner_id!] } : run;
  let unplaceable: string | null = null;
  if (executorTempFailed(outcome) && !run.stop_requested && run.attempt < run.max_attempts) {
    const online = await listOnlineRunners(tx, now, policy.leaseMs);
    if (!online.some((runner) => runnerCanServe(retryRun, runner))) unplaceable = unplaceableReason(retryRun, online);
  }
  const decision = decideFinish(outcome.kind, { ...run, placeable: unplaceable === null }, now, policy);
  let error = outcome.kind === 'succeeded' ? null : decision.unplaceable ? `${outcome.message}; not retried: ${unplaceable}` : outcome.message;
  // A run stopped because its tree passed a budget says so, with the figures (sessions show, run).
  if (run.stop_requested && error !== null) error = await withStopReason(tx, run.session_id, error);
  const alsoSet = {
    ...(excludes ? { excluded_runners: retryRun.excluded_runners } : {}),
    // The run's event counter and usage, when the events of the same report were stored without them (applyRunReport).
    ...runColumns,
  };
  if (outcome.result !== undefined && outcome.result !== null) {
    // Stored like a result event's fields (without its `type`), as appendEvents stores them; the executor's
    // final result, so not over what the agent reported with report_result in this run (SessionUpdate.result).
    const { type: _type, ...result } = outcome.result as Record<string, unknown>;
    session.result(result);
  }
  if (typeof outcome.executor_session_id === 'string') session.bind(outcome.executor_session_id);
  const updated =
    decision.retry === null
      ? await transitionRun(tx, run, decision.status, { finished_at: now, outcome, error, ...alsoSet }, now, session)
      : await transitionRun(tx, run, 'queued', {
          attempt: decision.retry.attempt, available_at: decision.retry.availableAt, queued_at: now,
          runner_id: null, claimed_at: null, started_at: null, stop_requested: false, outcome, error, ...alsoSet,
        }, now, session);
  await session.write(tx, now);
  // Outcomes of children that ended while this session ran arrive now, together (callback mode).
  if (updated.status === 'succeeded') await deliverCallbacks(tx, run.session_id, now);
  return updated;
}
