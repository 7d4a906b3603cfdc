import type { JobDef } from '../../../lib/workflow/model.js';
import { evaluateCondition, evaluateExpression, ExpressionProblem, soleExpression } from '../../../lib/workflow/expressions.js';
import { expandMatrix, MatrixProblem, taskKey } from '../../../lib/workflow/matrix.js';
import { isJobEnded, jobConclusion, rootRunStatus, skipReason, workflowOutcome } from '../../rules/workflow-rules.js';
import type { SqlClient } from '../sql-client.js';
import { placeholders } from '../sql-client.js';
import { getRunForUpdate } from './get-records.js';
import { SessionUpdate } from './session-update.js';
import { transitionRun } from './transition-run.js';
import { expressionContext, jobStatus } from './workflow-context.js';
import { flushJobs, readTask, type WorkflowState, writeJob } from './workflow-state.js';
import type { WorkflowTaskRecord } from '../workflow-rows.js';
import { startTaskAttempt } from './workflow-task-attempt.js';
import { taskEnded } from './workflow-task-end.js';

/** Rows per multi-row INSERT of a matrix's tasks. */
const TASK_INSERT_CHUNK = 200;

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** End a job without (more) tasks: skipped, or failed before it could start. */
async function endJob(tx: SqlClient, state: WorkflowState, job: JobDef, status: 'skipped' | 'failed', reason: string, now: number): Promise<void> {
  const rec = state.jobs.get(job.id)!;
  await writeJob(tx, state, {
    ...rec, status, result: status === 'skipped' ? 'skipped' : job.continue_on_error ? 'success' : 'failure', reason, ended_at: now, started_at: rec.started_at ?? (status === 'failed' ? now : null),
  });
}

/**
 * Start a job whose needs all ended and whose condition holds: expand its matrix (evaluated now, so it may
 * use the outputs of the jobs it needs) into tasks, then start as many as `max-parallel` allows.
 */
async function startJob(tx: SqlClient, state: WorkflowState, job: JobDef, now: number): Promise<void> {
  let instances: (Record<string, unknown> | null)[] = [null];
  if (job.matrix !== null) {
    try {
      const ctx = expressionContext(state, null);
      const axes: Record<string, unknown> = {};
      for (const [key, source] of Object.entries(job.matrix.axes)) {
        axes[key] = typeof source === 'string' ? evaluateExpression(soleExpression(source) ?? source, ctx, jobStatus(state, job.id)) : source;
      }
      instances = expandMatrix(axes, job.matrix.include, job.matrix.exclude);
    } catch (error) {
      if (!(error instanceof ExpressionProblem || error instanceof MatrixProblem)) throw error;
      await endJob(tx, state, job, 'failed', `strategy.matrix: ${message(error)}`, now);
      return;
    }
    if (instances.length === 0) {
      await endJob(tx, state, job, 'failed', 'strategy.matrix: expands to no combination', now);
      return;
    }
  }
  const rows = instances.map((matrix, idx) => [state.run.id, job.matrix === null ? job.id : taskKey(job.id, idx), job.id, idx, matrix === null ? null : JSON.stringify(matrix)]);
  for (let i = 0; i < rows.length; i += TASK_INSERT_CHUNK) {
    const chunk = rows.slice(i, i + TASK_INSERT_CHUNK);
    await tx.query(
      `INSERT INTO workflow_tasks (workflow_run_id, task_key, job_id, idx, matrix, status) VALUES ${chunk.map(() => `(${placeholders(5)}, 'pending')`).join(', ')}`,
      chunk.flat(),
    );
  }
  const rec = state.jobs.get(job.id)!;
  await writeJob(tx, state, { ...rec, status: 'running', tasks_total: instances.length, started_at: now, reason: null });
  // The rows just inserted, as records: the tasks started now need no read.
  const known = new Map<string, WorkflowTaskRecord>(rows.map(([, key, , idx], i) => [String(key), {
    workflow_run_id: state.run.id, task_key: String(key), job_id: job.id, idx: Number(idx), matrix: instances[i] ?? null, status: 'pending', attempt: 0,
    session_id: null, session_ids: [], question_id: null, child_workflow_run_id: null, outputs: null, error: null, retry_at: null, started_at: null, ended_at: null,
  }]));
  await startMoreTasks(tx, state, job, now, known);
}

/** Start the job's next tasks (in matrix order) while fewer than `max-parallel` are in flight. */
async function startMoreTasks(tx: SqlClient, state: WorkflowState, job: JobDef, now: number, known?: ReadonlyMap<string, WorkflowTaskRecord>): Promise<void> {
  const limit = job.matrix?.max_parallel ?? Number.POSITIVE_INFINITY;
  for (;;) {
    const rec = state.jobs.get(job.id)!;
    if (rec.tasks_started >= rec.tasks_total || rec.tasks_started - rec.tasks_done >= limit) return;
    const key = job.matrix === null ? job.id : taskKey(job.id, rec.tasks_started);
    await writeJob(tx, state, { ...rec, tasks_started: rec.tasks_started + 1 });
    const task = known?.get(key) ?? (await readTask(tx, state.run.id, key));
    if (task === null) continue;
    const started = await startTaskAttempt(tx, state, job, task, 0, now);
    if (started.ended !== null) await taskEnded(tx, state, job, started.task, started.ended, now);
  }
}

/**
 * Bring the workflow run as far as it can go now: conclude jobs whose tasks all ended, start more tasks of
 * jobs in flight, decide every pending job whose needs all ended (start it, or skip it saying why), until
 * nothing changes; then end the run when every job ended. Call with the run locked (lockWorkflow).
 */
export async function settleWorkflow(tx: SqlClient, state: WorkflowState, now: number): Promise<void> {
  if (state.run.status !== 'running') return;
  for (let progress = true; progress; ) {
    progress = false;
    for (const job of state.def.jobs) {
      const rec = state.jobs.get(job.id)!;
      if (rec.status === 'pending') {
        if (!job.needs.every((n) => isJobEnded(state.jobs.get(n)!.status))) continue;
        progress = true;
        let go: boolean;
        try {
          go = evaluateCondition(job.if, expressionContext(state, null), jobStatus(state, job.id));
        } catch (error) {
          if (!(error instanceof ExpressionProblem)) throw error;
          await endJob(tx, state, job, 'failed', `if: ${message(error)}`, now);
          continue;
        }
        if (go) await startJob(tx, state, job, now);
        else await endJob(tx, state, job, 'skipped', skipReason(job, state.jobs, state.run.cancel_requested), now);
      } else if (!isJobEnded(rec.status)) {
        if (rec.tasks_done >= rec.tasks_total) {
          progress = true;
          const { status, result } = jobConclusion(job, { total: rec.tasks_total, failed: rec.tasks_failed, cancelled: rec.tasks_cancelled });
          await writeJob(tx, state, { ...rec, status, result, ended_at: now, outputs: await jobOutputs(tx, state, job) });
        } else if (rec.tasks_started < rec.tasks_total && rec.tasks_started - rec.tasks_done < (job.matrix?.max_parallel ?? Number.POSITIVE_INFINITY)) {
          progress = true;
          await startMoreTasks(tx, state, job, now);
        }
      }
    }
  }
  if ([...state.jobs.values()].every((j) => isJobEnded(j.status))) await finishWorkflow(tx, state, now);
}

/**
 * A job's outputs once it ended: its task's, or for a matrix, each output name with the list of every
 * instance's value in matrix order (null where an instance has none).
 */
async function jobOutputs(tx: SqlClient, state: WorkflowState, job: JobDef): Promise<Record<string, unknown> | null> {
  // A job of one task that ended in this transaction: its outputs are in hand.
  if (job.matrix === null && state.outputs.has(job.id)) return state.outputs.get(job.id) ?? null;
  const rows = await tx.query<{ outputs: unknown }>('SELECT outputs FROM workflow_tasks WHERE workflow_run_id = ? AND job_id = ? ORDER BY idx', [state.run.id, job.id]);
  const each = rows.map((r) => (r.outputs === null || r.outputs === undefined ? null : (JSON.parse(String(r.outputs)) as Record<string, unknown>)));
  if (job.matrix === null) return each[0] ?? null;
  const names = new Set<string>();
  for (const o of each) for (const k of Object.keys(o ?? {})) names.add(k);
  const out: Record<string, unknown> = {};
  for (const name of names) out[name] = each.map((o) => (o !== null && Object.hasOwn(o, name) ? o[name] : null));
  return out;
}

/** Text and data a workflow's root session keeps as its result (what a caller waiting on it reads). */
function workflowResult(state: WorkflowState, status: string, error: string | null): Record<string, unknown> {
  const jobs: Record<string, unknown> = {};
  for (const [id, job] of state.jobs) jobs[id] = { status: job.status, result: job.result, outputs: job.outputs };
  const done = [...state.jobs.values()].filter((j) => j.status === 'succeeded').length;
  const text = `workflow ${state.def.name} ${status}: ${done} of ${state.jobs.size} jobs succeeded${error === null ? '' : ` (${error})`}`;
  return { result_text: text, result_data: { workflow_run_id: state.run.id, status, jobs }, is_error: status !== 'succeeded' };
}

/** Every job ended: end the run, its root session's run (which ends the tree), and tell an enclosing workflow. */
async function finishWorkflow(tx: SqlClient, state: WorkflowState, now: number): Promise<void> {
  const { status, error } = workflowOutcome(state.run.cancel_requested, state.jobs.values());
  await tx.query("UPDATE workflow_runs SET status = ?, error = ?, ended_at = ? WHERE id = ? AND status = 'running'", [status, error, now, state.run.id]);
  state.run = { ...state.run, status, error, ended_at: now };
  state.dirty = true;
  const [root] = await tx.query<{ last_run_id: unknown }>('SELECT last_run_id FROM sessions WHERE id = ?', [state.run.root_session_id]);
  const rootRun = root === undefined ? null : await getRunForUpdate(tx, String(root.last_run_id));
  if (rootRun !== null && rootRun.mode === 'workflow' && (rootRun.status === 'running' || rootRun.status === 'claimed')) {
    const update = new SessionUpdate(state.run.root_session_id, rootRun.id).result(workflowResult(state, status, error));
    await transitionRun(tx, rootRun, rootRunStatus(status), { finished_at: now, error }, now, update);
  }
  // The parent reads this run's jobs' outputs from their rows.
  await flushJobs(tx, state);
  if (state.run.parent_workflow_run_id !== null) await tx.hooks.engine!.childWorkflowEnded(tx, state.run, now);
}
