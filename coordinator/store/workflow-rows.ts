/**
 * Workflow records as the store returns them (migration 011), and their row mappers. Times are ms since
 * the epoch; JSON columns are parsed here.
 */
import type { WorkflowDef } from '../../lib/workflow/model.js';
import type { Budget } from '../../protocol/tree.js';
import type { JobResult, JobStatus, WorkflowRunStatus, WorkflowTrigger } from '../../protocol/workflows.js';

type Row = Record<string, unknown>;

const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const json = (v: unknown): unknown => (v === null || v === undefined ? null : JSON.parse(String(v)));

/** Why a workflow run is being stopped. */
export type WorkflowStopCause = 'cancel' | 'timeout' | 'budget';

export interface WorkflowRunRecord {
  seq: number;
  id: string;
  name: string;
  inputs: Record<string, unknown>;
  status: WorkflowRunStatus;
  trigger: WorkflowTrigger;
  root_session_id: string;
  parent_session_id: string | null;
  parent_workflow_run_id: string | null;
  parent_task: string | null;
  project_dir: string | null;
  priority: number;
  tags: string[];
  attempt: number;
  error: string | null;
  cancel_requested: WorkflowStopCause | null;
  timeout_at: number | null;
  version: number;
  created_at: number;
  updated_at: number;
  ended_at: number | null;
}

export interface WorkflowJobRecord {
  job_id: string;
  /** The job's place in the definition's (topological) order. */
  ord: number;
  status: JobStatus;
  result: JobResult | null;
  reason: string | null;
  outputs: Record<string, unknown> | null;
  tasks_total: number;
  tasks_started: number;
  tasks_done: number;
  tasks_failed: number;
  tasks_cancelled: number;
  attempts: number;
  started_at: number | null;
  ended_at: number | null;
}

export interface WorkflowTaskRecord {
  workflow_run_id: string;
  task_key: string;
  job_id: string;
  idx: number;
  matrix: Record<string, unknown> | null;
  status: JobStatus;
  attempt: number;
  session_id: string | null;
  session_ids: string[];
  question_id: string | null;
  child_workflow_run_id: string | null;
  outputs: Record<string, unknown> | null;
  error: string | null;
  retry_at: number | null;
  started_at: number | null;
  ended_at: number | null;
}

/** A definition of the workflows folder, as stored. */
export interface WorkflowDefinitionRecord {
  name: string;
  definition: WorkflowDef;
  document: unknown;
  file: string | null;
  schedule_since: number | null;
  created_at: number;
  updated_at: number;
}

/** How one attempt of a task ended. `final`: no retry can help (a refusal before anything ran, a person's answer). */
export interface AttemptOutcome {
  status: 'succeeded' | 'failed' | 'cancelled';
  outputs: Record<string, unknown> | null;
  error: string | null;
  final: boolean;
}

/** The coordinator settings a workflow job's session is created with (as `POST /v1/sessions` would). */
export interface WorkflowSettings {
  /** The executor of a job that names none and whose agent names none. */
  defaultExecutor: string;
  /** Tries of each run after infrastructure failures. */
  maxAttempts: number;
  /** The retry jitter's source (tests fix it). */
  random: () => number;
}

/** Until the coordinator sets its own. */
export const DEFAULT_WORKFLOW_SETTINGS: WorkflowSettings = { defaultExecutor: 'claude-code', maxAttempts: 3, random: Math.random };

/** A workflow run to start (its inputs already resolved against the definition's declarations). */
export interface NewWorkflowRun {
  def: WorkflowDef;
  inputs: Record<string, unknown>;
  trigger: WorkflowTrigger;
  project_dir: string | null;
  /** The root session's parent: the agent that started it (MCP), or an enclosing workflow's root. */
  parent_session_id: string | null;
  parent_workflow_run_id?: string | null;
  parent_task?: string | null;
  priority: number;
  tags: string[];
  /** The tree budget given with the request (over the definition's, which is a default cut to what a parent tree has left). */
  budget: Budget | null;
}

/** A started (or already ended) workflow run. */
export interface WorkflowRunStarted {
  run: WorkflowRunRecord;
  id: string;
  status: WorkflowRunRecord['status'];
  error: string | null;
  /** Its jobs' outputs when it ended as it started; null while it runs. */
  outputs: Record<string, unknown> | null;
}

/** The columns of `workflow_runs` but its definition (read apart, once per run: see loadDefinition). */
export const WORKFLOW_RUN_COLUMNS =
  'seq, id, name, inputs, status, trigger, root_session_id, parent_session_id, parent_workflow_run_id, parent_task, project_dir, priority, tags, attempt, error, cancel_requested, timeout_at, version, created_at, updated_at, ended_at';

export function toWorkflowRun(row: Row): WorkflowRunRecord {
  return {
    seq: num(row.seq),
    id: String(row.id),
    name: String(row.name),
    inputs: (json(row.inputs) as Record<string, unknown> | null) ?? {},
    status: row.status as WorkflowRunStatus,
    trigger: row.trigger as WorkflowTrigger,
    root_session_id: String(row.root_session_id),
    parent_session_id: strOrNull(row.parent_session_id),
    parent_workflow_run_id: strOrNull(row.parent_workflow_run_id),
    parent_task: strOrNull(row.parent_task),
    project_dir: strOrNull(row.project_dir),
    priority: num(row.priority),
    tags: (json(row.tags) as string[] | null) ?? [],
    attempt: num(row.attempt),
    error: strOrNull(row.error),
    cancel_requested: strOrNull(row.cancel_requested) as WorkflowStopCause | null,
    timeout_at: numOrNull(row.timeout_at),
    version: num(row.version),
    created_at: num(row.created_at),
    updated_at: num(row.updated_at),
    ended_at: numOrNull(row.ended_at),
  };
}

export function toWorkflowJob(row: Row): WorkflowJobRecord {
  return {
    job_id: String(row.job_id),
    ord: num(row.ord),
    status: row.status as JobStatus,
    result: strOrNull(row.result) as JobResult | null,
    reason: strOrNull(row.reason),
    outputs: json(row.outputs) as Record<string, unknown> | null,
    tasks_total: num(row.tasks_total),
    tasks_started: num(row.tasks_started),
    tasks_done: num(row.tasks_done),
    tasks_failed: num(row.tasks_failed),
    tasks_cancelled: num(row.tasks_cancelled),
    attempts: num(row.attempts),
    started_at: numOrNull(row.started_at),
    ended_at: numOrNull(row.ended_at),
  };
}

export function toWorkflowTask(row: Row): WorkflowTaskRecord {
  return {
    workflow_run_id: String(row.workflow_run_id),
    task_key: String(row.task_key),
    job_id: String(row.job_id),
    idx: num(row.idx),
    matrix: json(row.matrix) as Record<string, unknown> | null,
    status: row.status as JobStatus,
    attempt: num(row.attempt),
    session_id: strOrNull(row.session_id),
    session_ids: (json(row.session_ids) as string[] | null) ?? [],
    question_id: strOrNull(row.question_id),
    child_workflow_run_id: strOrNull(row.child_workflow_run_id),
    outputs: json(row.outputs) as Record<string, unknown> | null,
    error: strOrNull(row.error),
    retry_at: numOrNull(row.retry_at),
    started_at: numOrNull(row.started_at),
    ended_at: numOrNull(row.ended_at),
  };
}

export function toWorkflowDefinition(row: Row): WorkflowDefinitionRecord {
  return {
    name: String(row.name),
    definition: json(row.definition) as WorkflowDef,
    document: json(row.document),
    file: strOrNull(row.file),
    schedule_since: numOrNull(row.schedule_since),
    created_at: num(row.created_at),
    updated_at: num(row.updated_at),
  };
}
