import { isTerminal } from '../../rules/run-transitions.js';
import { gateOutcome, isJobEnded, taskOutcomeOf } from '../../rules/workflow-rules.js';
import type { SessionResult } from '../../../protocol/sessions.js';
import type { QuestionRecord, RunRecord } from '../../types.js';
import type { SqlClient, WorkflowEngine } from '../sql-client.js';
import type { WorkflowRunRecord, WorkflowStopCause, WorkflowTaskRecord } from '../workflow-rows.js';
import { startWorkflowRunIn } from './start-workflow-run.js';
import { settleWorkflow } from './workflow-settle.js';
import { lockWorkflow, readTask, runOutputs, saveWorkflow } from './workflow-state.js';
import { cancelTasks, taskEnded, taskOutputs } from './workflow-task-end.js';

/**
 * Stop a workflow run: its tasks in flight are cancelled, and the jobs not started yet are decided with
 * `cancelled()` true (only `always()` and `cancelled()` ones still start); the run ends as cancelled (or
 * failed, for a timeout or a passed budget) once those ended. Idempotent.
 * @returns false when the run had ended or was being stopped already.
 */
export async function requestWorkflowStop(tx: SqlClient, id: string, cause: WorkflowStopCause, now: number): Promise<boolean> {
  const state = await lockWorkflow(tx, id);
  if (state === null || state.run.status !== 'running' || state.run.cancel_requested !== null) return false;
  await tx.query('UPDATE workflow_runs SET cancel_requested = ? WHERE id = ?', [cause, id]);
  state.run = { ...state.run, cancel_requested: cause };
  state.dirty = true;
  const why = cause === 'timeout' ? 'the workflow timed out' : cause === 'budget' ? "the workflow's budget was passed" : 'the workflow was cancelled';
  for (const job of state.def.jobs) {
    const rec = state.jobs.get(job.id)!;
    if (rec.status !== 'pending' && !isJobEnded(rec.status)) await cancelTasks(tx, state, job, why, now);
  }
  await settleWorkflow(tx, state, now);
  await saveWorkflow(tx, state, now);
  return true;
}

/**
 * Whether a session whose run just ended will be resumed without anyone asking: children it started in
 * callback mode still in flight or not yet delivered, or an answer that resumes it. A task is not done
 * until its session is (its final result comes from the last resume).
 */
async function willResume(tx: SqlClient, sessionId: string, children: number, openQuestions: number): Promise<boolean> {
  if (children === 0 && openQuestions === 0) return false;
  const rows = await tx.query(
    `SELECT 1 AS one FROM runs WHERE callback_session_id = ? AND status IN ('queued', 'claimed', 'running', 'lost')
     UNION ALL SELECT 1 AS one FROM callbacks WHERE session_id = ? AND delivered_run_id IS NULL
     UNION ALL SELECT 1 AS one FROM questions WHERE session_id = ? AND status = 'open' AND resume = 1
     LIMIT 1`,
    [sessionId, sessionId, sessionId],
  );
  return rows.length > 0;
}

/**
 * A run of a task's session ended (inside the transaction that ended it): once the session is done, the
 * task's attempt ended with the run's status and the session's result, and the workflow advances, in this
 * same transaction.
 */
export async function taskRunEnded(tx: SqlClient, run: RunRecord, now: number): Promise<void> {
  if (run.workflow_run_id === null || run.mode === 'workflow' || !isTerminal(run.status)) return;
  const [found] = await tx.query<{ task_key: unknown; status: unknown; result: unknown; last_run_id: unknown; children: unknown; open_questions: unknown }>(
    `SELECT t.task_key, t.status, s.result, s.last_run_id, s.children, s.open_questions
     FROM workflow_tasks t JOIN sessions s ON s.id = t.session_id WHERE t.session_id = ? AND t.workflow_run_id = ?`,
    [run.session_id, run.workflow_run_id],
  );
  if (found === undefined || isJobEnded(String(found.status) as WorkflowTaskRecord['status'])) return;
  const session = found;
  if (String(session.last_run_id) !== run.id) return;
  if (await willResume(tx, run.session_id, Number(session.children ?? 0), Number(session.open_questions ?? 0))) return;
  const state = await lockWorkflow(tx, run.workflow_run_id);
  if (state === null || state.run.status !== 'running') return;
  const task = await readTask(tx, state.run.id, String(found.task_key));
  if (task === null || isJobEnded(task.status) || task.session_id !== run.session_id) return;
  const job = state.def.jobs.find((j) => j.id === task.job_id)!;
  const result = session.result === null || session.result === undefined ? null : (JSON.parse(String(session.result)) as SessionResult);
  let status = taskOutcomeOf(run.status);
  const { outputs, error: outputsError } = taskOutputs(job, result);
  let error = status === 'succeeded' ? null : (run.error ?? run.outcome?.message ?? `its run ${run.status === 'timed_out' ? 'timed out' : run.status}`);
  if (outputsError !== null && status === 'succeeded') {
    status = 'failed';
    error = outputsError;
  }
  await taskEnded(tx, state, job, task, { status, outputs, error, final: outputsError !== null }, now);
  await settleWorkflow(tx, state, now);
  await saveWorkflow(tx, state, now);
}

/** A gate's question was closed (inside the transaction that closed it): its answer ends the gate's task. */
export async function gateClosed(tx: SqlClient, q: QuestionRecord, now: number): Promise<void> {
  const [found] = await tx.query<{ workflow_run_id: unknown; task_key: unknown }>('SELECT workflow_run_id, task_key FROM workflow_tasks WHERE question_id = ?', [q.id]);
  if (found === undefined) return;
  const state = await lockWorkflow(tx, String(found.workflow_run_id));
  if (state === null || state.run.status !== 'running') return;
  const task = await readTask(tx, state.run.id, String(found.task_key));
  if (task === null || isJobEnded(task.status) || task.question_id !== q.id) return;
  const job = state.def.jobs.find((j) => j.id === task.job_id)!;
  await taskEnded(tx, state, job, task, gateOutcome(q), now);
  await settleWorkflow(tx, state, now);
  await saveWorkflow(tx, state, now);
}

/** A nested workflow run ended (inside the transaction that ended it): its end is its parent task's. */
export async function childWorkflowEnded(tx: SqlClient, child: WorkflowRunRecord, now: number): Promise<void> {
  if (child.parent_workflow_run_id === null || child.parent_task === null) return;
  const state = await lockWorkflow(tx, child.parent_workflow_run_id);
  if (state === null || state.run.status !== 'running') return;
  const task = await readTask(tx, state.run.id, child.parent_task);
  // Not recorded yet: the child ended as it started, and the parent ends its task itself (startNested).
  if (task === null || isJobEnded(task.status) || task.child_workflow_run_id !== child.id) return;
  const job = state.def.jobs.find((j) => j.id === task.job_id)!;
  const status = child.status === 'succeeded' ? 'succeeded' : child.status === 'cancelled' ? 'cancelled' : 'failed';
  await taskEnded(tx, state, job, task, { status, outputs: await runOutputs(tx, child.id), error: child.error, final: false }, now);
  await settleWorkflow(tx, state, now);
  await saveWorkflow(tx, state, now);
}

/** The engine as the store operations below it reach it (through the SQL client's hooks; set by createStore). */
export const workflowEngine: WorkflowEngine = { taskRunEnded, gateClosed, childWorkflowEnded, requestWorkflowStop, startWorkflowRunIn };
