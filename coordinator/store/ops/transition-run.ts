import { assertTransition, isTerminal } from '../../rules/run-transitions.js';
import type { RunStatus } from '../../../protocol/statuses.js';
import type { RunRecord } from '../../types.js';
import { toRun } from '../rows.js';
import { appendRunStatusEvent } from './append-run-status-event.js';
import { lastEventSeqRead, lastEventSeqWanted, SESSION_LAST_EVENT_SEQ } from './event-seqs.js';
import { deliverCallbacks, outcomesWaitingRead, outcomesWaitingWanted, SESSION_OUTCOMES_WAITING } from './deliver-callbacks.js';
import { notifyRunEnded } from './notify-run-ended.js';
import { recordCallback } from './record-callback.js';
import { cancelQuestionsOfRetriedRun } from './questions.js';
import { SessionUpdate } from './session-update.js';
import type { SqlClient } from '../sql-client.js';
import { ConflictError } from '../store-errors.js';

/** Columns a transition may set besides `status`. */
export type RunPatch = Partial<
  Pick<
    RunRecord,
    'event_seq' | 'runner_id' | 'attempt' | 'available_at' | 'queued_at' | 'claimed_at' | 'started_at' | 'finished_at' | 'error' | 'stop_requested' | 'excluded_runners'
    | 'credential_profile' | 'parked_until' | 'park_reason' | 'parks' | 'continues_session' | 'executor_session_id' | 'model' | 'models'
  >
> & { outcome?: unknown; usage?: unknown };

/** Patch columns stored as JSON text. */
const JSON_COLUMNS = new Set(['outcome', 'excluded_runners', 'usage', 'models']);

/**
 * The one guarded way to change a run's status: checks the state machine (IllegalTransitionError
 * naming both states), updates only if the status is still what was read, and keeps the session's status
 * in step with its latest run. Call inside a transaction with the run read `forUpdate`.
 * With `session`, the session's change is gathered there for the caller to write with the rest of what its
 * transaction changes on the row (one write); a run that ended is written at once, before its outcome is
 * read for the session it calls back. Without, the session row is written here.
 */
export async function transitionRun(
  tx: SqlClient,
  run: RunRecord,
  to: RunStatus,
  patch: RunPatch,
  now: number,
  session?: SessionUpdate,
): Promise<RunRecord> {
  assertTransition(run.id, run.status, to);
  // The status counter numbers the run's run_status events (their run_seq -1, -2, …).
  const sets = ['status = ?', 'status_seq = status_seq + 1'];
  const params: unknown[] = [to];
  for (const [key, value] of Object.entries(patch)) {
    sets.push(`${key} = ?`);
    params.push(JSON_COLUMNS.has(key) ? JSON.stringify(value) : typeof value === 'boolean' ? Number(value) : value);
  }
  // The run_status event below needs the session's next seq: when it would be read by a statement of its
  // own (PostgreSQL, session locked), this UPDATE returns it, one round trip fewer.
  const readSeq = lastEventSeqWanted(tx, run.session_id);
  // A run that succeeds delivers what waits for its session (finishHeldRun): the same statement may say whether anything does.
  const readWaiting = to === 'succeeded' && outcomesWaitingWanted(tx, run.session_id);
  const returning = [
    'RETURNING *',
    ...(readSeq ? [`${SESSION_LAST_EVENT_SEQ} AS session_last_event_seq`] : []),
    ...(readWaiting ? [`${SESSION_OUTCOMES_WAITING} AS session_outcomes_waiting`] : []),
  ].join(', ');
  const [row] = await tx.query(`UPDATE runs SET ${sets.join(', ')} WHERE id = ? AND status = ? ${returning}`, [...params, run.id, run.status]);
  if (row === undefined) throw new ConflictError(`run ${run.id} changed while it was being updated; retry`, { run: run.id });
  if (readSeq) lastEventSeqRead(tx, run.session_id, Number(row.session_last_event_seq));
  if (readWaiting) outcomesWaitingRead(tx, run.session_id, row.session_outcomes_waiting === true);
  const updated = toRun(row);
  const sessionUpdate = (session ?? new SessionUpdate(updated.session_id, updated.id)).followRun(updated, now);
  if (session === undefined || isTerminal(to)) await sessionUpdate.write(tx, now);
  await appendRunStatusEvent(tx, updated, Number(row.status_seq), now, statusMessage(updated, patch));
  if (isTerminal(to)) {
    if (await recordCallback(tx, updated, now)) await deliverCallbacks(tx, updated.callback_session_id!, now);
    // After the callbacks: a parent they resumed is in flight, so its tree is not quiet.
    await notifyRunEnded(tx, updated, now);
    // A workflow task's session is done: its workflow advances in this same transaction.
    if (updated.workflow_run_id !== null) await tx.hooks.engine?.taskRunEnded(tx, updated, now);
  }
  if (to === 'queued' && run.started_at !== null) await cancelQuestionsOfRetriedRun(tx, updated.id, now);
  return updated;
}

/** Why the run is where it is, for its run_status event: the error this change set, or a failed end's reason. */
function statusMessage(run: RunRecord, patch: RunPatch): string | null | undefined {
  if (patch.error !== undefined && patch.error !== null) return patch.error;
  if (!isTerminal(run.status) || run.status === 'succeeded') return undefined;
  return run.error ?? run.outcome?.message;
}
