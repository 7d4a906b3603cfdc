import type { JobDef } from '../../../lib/workflow/model.js';
import { ExpressionProblem, interpolate } from '../../../lib/workflow/expressions.js';
import type { SessionResult } from '../../../protocol/sessions.js';
import { defaultOutputs, outputsContext, retryDelayMs } from '../../rules/workflow-rules.js';
import type { SqlClient } from '../sql-client.js';
import { ConflictError } from '../store-errors.js';
import { toWorkflowTask, type WorkflowTaskRecord } from '../workflow-rows.js';
import { closeQuestionIn } from './questions.js';
import { stopSessionTree } from './stop-session-tree.js';
import type { AttemptOutcome, WorkflowState } from './workflow-state.js';
import { writeJob, writeTask } from './workflow-state.js';
import { startTaskAttempt } from './workflow-task-attempt.js';

export type { AttemptOutcome };

/**
 * An attempt of a task ended. A failure with retries left (`retry.max`, any failure but a final one,
 * and the run not being stopped) starts the next attempt after its backoff; otherwise the task ends and is
 * counted in its job, and a failure with `fail-fast` cancels the job's other matrix instances. The caller
 * settles the workflow afterwards. Call with the workflow locked.
 */
export async function taskEnded(tx: SqlClient, state: WorkflowState, job: JobDef, ended: WorkflowTaskRecord, attemptOutcome: AttemptOutcome, now: number): Promise<void> {
  let task = ended;
  let outcome = attemptOutcome;
  // An attempt that ends as it starts (refused) is retried at once, within `retry.max`, like any other.
  while (outcome.status === 'failed' && !outcome.final && task.attempt <= job.retry.max && state.run.cancel_requested === null) {
    const delay = retryDelayMs(job.retry, task.attempt, tx.hooks.workflows.random);
    const next = await startTaskAttempt(tx, state, job, { ...task, error: outcome.error, outputs: outcome.outputs }, delay, now);
    if (next.ended === null) return;
    task = next.task;
    outcome = next.ended;
  }
  await writeTask(tx, state, { ...task, status: outcome.status, outputs: outcome.outputs, error: outcome.error, ended_at: now, retry_at: null });
  state.outputs.set(task.task_key, outcome.outputs);
  const rec = state.jobs.get(job.id)!;
  await writeJob(tx, state, {
    ...rec,
    tasks_done: rec.tasks_done + 1,
    tasks_failed: rec.tasks_failed + (outcome.status === 'failed' ? 1 : 0),
    tasks_cancelled: rec.tasks_cancelled + (outcome.status === 'cancelled' ? 1 : 0),
    reason: rec.reason ?? (outcome.status === 'succeeded' ? null : prefixed(task, job, outcome.error ?? outcome.status)),
  });
  if (outcome.status === 'failed' && job.matrix?.fail_fast === true) await cancelTasks(tx, state, job, `cancelled: ${task.task_key} failed (fail-fast)`, now);
}

/** A task's error as its job's reason: a matrix instance names itself. */
function prefixed(task: WorkflowTaskRecord, job: JobDef, text: string): string {
  return job.matrix === null ? text : `${task.task_key}: ${text}`;
}

/**
 * Cancel every task of a job that has not ended (matrix siblings after a fail-fast failure, or all of a
 * workflow being stopped): marked cancelled first, so the ends their stops cause find them ended, then
 * their sessions stopped, their questions cancelled, their nested workflows stopped.
 */
export async function cancelTasks(tx: SqlClient, state: WorkflowState, job: JobDef, reason: string, now: number): Promise<void> {
  const rows = await tx.query(
    "SELECT * FROM workflow_tasks WHERE workflow_run_id = ? AND job_id = ? AND status NOT IN ('succeeded', 'failed', 'cancelled', 'skipped') ORDER BY idx",
    [state.run.id, job.id],
  );
  if (rows.length === 0) return;
  const tasks = rows.map(toWorkflowTask);
  const rec = state.jobs.get(job.id)!;
  let neverStarted = 0;
  for (const task of tasks) {
    if (task.status === 'pending') neverStarted += 1;
    await writeTask(tx, state, { ...task, status: 'cancelled', error: reason, ended_at: now, retry_at: null });
  }
  await writeJob(tx, state, {
    ...rec,
    tasks_started: rec.tasks_started + neverStarted,
    tasks_done: rec.tasks_done + tasks.length,
    tasks_cancelled: rec.tasks_cancelled + tasks.length,
    reason: rec.reason ?? reason,
  });
  for (const task of tasks) {
    if (task.status === 'pending') continue;
    if (task.session_id !== null) await stopSessionTree(tx, task.session_id, now, true);
    if (task.question_id !== null) {
      await closeQuestionIn(tx, task.question_id, { status: 'cancelled', answer: null, answered_by: 'workflow' }, now).catch((error: unknown) => {
        // Answered meanwhile: its answer came too late for the task, which is cancelled.
        if (!(error instanceof ConflictError)) throw error;
      });
    }
    if (task.child_workflow_run_id !== null) await tx.hooks.engine!.requestWorkflowStop(tx, task.child_workflow_run_id, 'cancel', now);
  }
}

/** A task's outputs from its session's result: its declared `outputs:` evaluated, else every result_data field and `result`. */
export function taskOutputs(job: JobDef, result: SessionResult | null): { outputs: Record<string, unknown>; error: string | null } {
  if (job.outputs === null) return { outputs: defaultOutputs(result), error: null };
  const ctx = outputsContext(result);
  const outputs: Record<string, unknown> = {};
  for (const [name, source] of Object.entries(job.outputs)) {
    try {
      outputs[name] = interpolate(source, ctx);
    } catch (error) {
      if (!(error instanceof ExpressionProblem)) throw error;
      return { outputs, error: `outputs.${name}: ${error.message}` };
    }
  }
  return { outputs, error: null };
}

