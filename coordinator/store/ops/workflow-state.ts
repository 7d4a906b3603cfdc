import type { WorkflowDef } from '../../../lib/workflow/model.js';
import type { SqlClient } from '../sql-client.js';
import type { AttemptOutcome } from '../workflow-rows.js';
import { toWorkflowJob, toWorkflowRun, toWorkflowTask, WORKFLOW_RUN_COLUMNS, type WorkflowJobRecord, type WorkflowRunRecord, type WorkflowTaskRecord } from '../workflow-rows.js';

export type { AttemptOutcome };

/** A workflow run locked by this transaction, with its definition and its jobs' records (kept in step as the engine changes them). */
export interface WorkflowState {
  run: WorkflowRunRecord;
  def: WorkflowDef;
  jobs: Map<string, WorkflowJobRecord>;
  /** Something changed: the run's version is bumped and followers told, once, by `saveWorkflow`. */
  dirty: boolean;
  /** Jobs changed in memory and not written yet (flushJobs writes each once). */
  unwritten: Set<string>;
  /** The outputs of tasks ended in this transaction, by task key (a job's outputs need no read). */
  outputs: Map<string, Record<string, unknown> | null>;
}

/** Definitions by workflow run id: a run's definition never changes, so it is parsed once per process (bounded). */
const definitions = new Map<string, WorkflowDef>();
const MAX_CACHED_DEFINITIONS = 256;

/** A run's definition, from the cache or read and parsed once. */
export async function loadDefinition(tx: SqlClient, id: string): Promise<WorkflowDef> {
  const cached = definitions.get(id);
  if (cached !== undefined) return cached;
  const [row] = await tx.query<{ definition: unknown }>('SELECT definition FROM workflow_runs WHERE id = ?', [id]);
  const def = JSON.parse(String(row!.definition)) as WorkflowDef;
  cacheDefinition(id, def);
  return def;
}

/**
 * Lock a workflow run for the rest of the transaction and read its state. The root session's row is
 * locked first, then the run's: the order every writer of a workflow takes (a task's run ending writes its
 * own session, then its ancestors' rows, the root among them, then the workflow), so two of them never wait
 * for each other in a circle. Every advance of one workflow run is serialised by this lock, on every replica.
 * @returns null when the run does not exist.
 */
export async function lockWorkflow(tx: SqlClient, id: string): Promise<WorkflowState | null> {
  // The root's row, locked (by a subquery: one statement), then the run's.
  await tx.query(`SELECT id FROM sessions WHERE id = (SELECT root_session_id FROM workflow_runs WHERE id = ?)${tx.forUpdate()}`, [id]);
  const [row] = await tx.query(`SELECT ${WORKFLOW_RUN_COLUMNS} FROM workflow_runs WHERE id = ?${tx.forUpdate()}`, [id]);
  if (row === undefined) return null;
  const run = toWorkflowRun(row);
  const def = await loadDefinition(tx, id);
  const rows = await tx.query('SELECT * FROM workflow_jobs WHERE workflow_run_id = ? ORDER BY ord', [id]);
  return { run, def, jobs: new Map(rows.map((r) => { const job = toWorkflowJob(r); return [job.job_id, job]; })), dirty: false, unwritten: new Set(), outputs: new Map() };
}

/** Remember a new run's definition (it is in hand: no read needed). */
export function cacheDefinition(id: string, def: WorkflowDef): void {
  if (definitions.size >= MAX_CACHED_DEFINITIONS) definitions.delete(definitions.keys().next().value!);
  definitions.set(id, def);
}

/** Forget a cached definition (a run deleted). */
export function forgetDefinition(id: string): void {
  definitions.delete(id);
}

/**
 * Change a job's record: in memory now, written once by flushJobs (at saveWorkflow, or before a reader of the
 * rows: a parent reading a nested run's outputs). Async to keep its callers' shape.
 */
export async function writeJob(_tx: SqlClient, state: WorkflowState, job: WorkflowJobRecord): Promise<void> {
  state.jobs.set(job.job_id, job);
  state.dirty = true;
  state.unwritten.add(job.job_id);
  return Promise.resolve();
}

/** Write every job changed in memory, each once. */
export async function flushJobs(tx: SqlClient, state: WorkflowState): Promise<void> {
  for (const id of state.unwritten) await updateJobRow(tx, state, state.jobs.get(id)!);
  state.unwritten.clear();
}

async function updateJobRow(tx: SqlClient, state: WorkflowState, job: WorkflowJobRecord): Promise<void> {
  await tx.query(
    `UPDATE workflow_jobs SET status = ?, result = ?, reason = ?, outputs = ?, tasks_total = ?, tasks_started = ?, tasks_done = ?, tasks_failed = ?,
       tasks_cancelled = ?, attempts = ?, started_at = ?, ended_at = ? WHERE workflow_run_id = ? AND job_id = ?`,
    [job.status, job.result, job.reason, job.outputs === null ? null : JSON.stringify(job.outputs), job.tasks_total, job.tasks_started, job.tasks_done,
      job.tasks_failed, job.tasks_cancelled, job.attempts, job.started_at, job.ended_at, state.run.id, job.job_id],
  );
}

/** Write a task's record. */
export async function writeTask(tx: SqlClient, state: WorkflowState, task: WorkflowTaskRecord): Promise<void> {
  state.dirty = true;
  await tx.query(
    `UPDATE workflow_tasks SET status = ?, attempt = ?, session_id = ?, session_ids = ?, question_id = ?, child_workflow_run_id = ?, outputs = ?,
       error = ?, retry_at = ?, started_at = ?, ended_at = ? WHERE workflow_run_id = ? AND task_key = ?`,
    [task.status, task.attempt, task.session_id, JSON.stringify(task.session_ids), task.question_id, task.child_workflow_run_id,
      task.outputs === null ? null : JSON.stringify(task.outputs), task.error, task.retry_at, task.started_at, task.ended_at, state.run.id, task.task_key],
  );
}

/** The tasks of one job, in matrix order. */
export async function readTasks(tx: SqlClient, runId: string, jobId: string): Promise<WorkflowTaskRecord[]> {
  const rows = await tx.query('SELECT * FROM workflow_tasks WHERE workflow_run_id = ? AND job_id = ? ORDER BY idx', [runId, jobId]);
  return rows.map(toWorkflowTask);
}

/** One task. */
export async function readTask(tx: SqlClient, runId: string, key: string): Promise<WorkflowTaskRecord | null> {
  const [row] = await tx.query('SELECT * FROM workflow_tasks WHERE workflow_run_id = ? AND task_key = ?', [runId, key]);
  return row === undefined ? null : toWorkflowTask(row);
}

/** Bump the run's version and tell its followers (here and on other replicas), once per transaction's changes. */
export async function saveWorkflow(tx: SqlClient, state: WorkflowState, now: number): Promise<void> {
  await flushJobs(tx, state);
  if (!state.dirty) return;
  state.dirty = false;
  const [row] = await tx.query<{ version: unknown }>('UPDATE workflow_runs SET version = version + 1, updated_at = ? WHERE id = ? RETURNING version', [now, state.run.id]);
  state.run = { ...state.run, version: Number(row?.version ?? state.run.version + 1), updated_at: now };
  tx.announce({ kind: 'workflow', workflow_run_id: state.run.id });
}


/** A workflow run's outputs (a nested workflow's, for its parent's task): each of its jobs' outputs, by job id. */
export async function runOutputs(tx: SqlClient, id: string): Promise<Record<string, unknown>> {
  const rows = await tx.query<{ job_id: unknown; outputs: unknown }>('SELECT job_id, outputs FROM workflow_jobs WHERE workflow_run_id = ? ORDER BY ord', [id]);
  return Object.fromEntries(rows.map((r) => [String(r.job_id), r.outputs === null || r.outputs === undefined ? {} : (JSON.parse(String(r.outputs)) as unknown)]));
}
