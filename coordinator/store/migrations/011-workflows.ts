import type { Dialect } from '../sql-client.js';

/**
 * Workflows (issue 16): definitions, runs, and the state of every job, in the store, so a workflow is as
 * durable as a session.
 *
 * - `workflows`: the definitions of the coordinator's workflows folder, compiled (`definition`, the DAG
 *   model of lib/workflow/model.ts). `schedule_since`: slots of its schedules at or before this time are
 *   never fired (a workflow does not fire the slots from before it was loaded).
 * - `workflow_runs`: one run of a workflow, with the definition it started with (a resume runs the same
 *   graph), its inputs, and its root session (its jobs' sessions are children of it). `version` grows with
 *   every change of the run or its jobs (followers use it). `parent_workflow_run_id`/`parent_task`: the
 *   task of an enclosing workflow this run is (a nested workflow).
 *   `cancel_requested`: why it is being stopped (`cancel`, `timeout`, `budget`), or null: its jobs in flight are
 *   stopped and only jobs whose `if` holds when cancelled (`always()`, `cancelled()`) still start.
 * - `workflow_jobs`: one row per job: its state and the counts of its tasks (a matrix expands a job into
 *   tasks; a job without one has one task). `tasks_started - tasks_done` is how many are in flight.
 * - `workflow_tasks`: one row per task (`key`: the job id, or `id[i]` for matrix instance i): its attempt,
 *   its current session and every attempt's session, its outputs, its gate's question, its nested run.
 * - `workflow_schedule_slots`: each slot of a schedule fired, once (its primary key), whichever replica
 *   fired it.
 * - `sessions.workflow_run_id`: the workflow run a session belongs to (its root, or a task's session);
 *   `sessions.metadata`: invocation metadata the session's runs carry (a task's `inputs` and `workflow`).
 * - `runs.workflow_run_id`: set on the runs of a task's session, so a run's end finds its task without a read.
 * - `runs_callback_session`: a task's session that started children in callback mode is not done while
 *   their runs are in flight (looked up by `callback_session_id` at each of its runs' ends).
 */
export function workflows(dialect: Dialect): string {
  const SERIAL = dialect === 'sqlite' ? 'INTEGER PRIMARY KEY AUTOINCREMENT' : 'BIGSERIAL PRIMARY KEY';
  return `
CREATE TABLE workflows (
  name TEXT PRIMARY KEY,
  definition TEXT NOT NULL,
  document TEXT NOT NULL,
  file TEXT,
  schedule_since BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE workflow_runs (
  seq ${SERIAL},
  id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  definition TEXT NOT NULL,
  inputs TEXT NOT NULL,
  status TEXT NOT NULL,
  trigger TEXT NOT NULL,
  root_session_id TEXT NOT NULL,
  parent_session_id TEXT,
  parent_workflow_run_id TEXT,
  parent_task TEXT,
  project_dir TEXT,
  priority INTEGER NOT NULL DEFAULT 0,
  tags TEXT NOT NULL DEFAULT '[]',
  attempt INTEGER NOT NULL DEFAULT 1,
  error TEXT,
  cancel_requested TEXT,
  timeout_at BIGINT,
  version BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  ended_at BIGINT
);
CREATE INDEX workflow_runs_name ON workflow_runs (name, seq);
CREATE INDEX workflow_runs_status ON workflow_runs (status, timeout_at);
CREATE INDEX workflow_runs_root ON workflow_runs (root_session_id);
CREATE INDEX workflow_runs_parent ON workflow_runs (parent_workflow_run_id);
CREATE TABLE workflow_jobs (
  workflow_run_id TEXT NOT NULL REFERENCES workflow_runs (id) ON DELETE CASCADE,
  job_id TEXT NOT NULL,
  ord INTEGER NOT NULL,
  status TEXT NOT NULL,
  result TEXT,
  reason TEXT,
  outputs TEXT,
  tasks_total INTEGER NOT NULL DEFAULT 0,
  tasks_started INTEGER NOT NULL DEFAULT 0,
  tasks_done INTEGER NOT NULL DEFAULT 0,
  tasks_failed INTEGER NOT NULL DEFAULT 0,
  tasks_cancelled INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  started_at BIGINT,
  ended_at BIGINT,
  PRIMARY KEY (workflow_run_id, job_id)
);
CREATE TABLE workflow_tasks (
  workflow_run_id TEXT NOT NULL REFERENCES workflow_runs (id) ON DELETE CASCADE,
  task_key TEXT NOT NULL,
  job_id TEXT NOT NULL,
  idx INTEGER NOT NULL,
  matrix TEXT,
  status TEXT NOT NULL,
  attempt INTEGER NOT NULL DEFAULT 0,
  session_id TEXT,
  session_ids TEXT NOT NULL DEFAULT '[]',
  question_id TEXT,
  child_workflow_run_id TEXT,
  outputs TEXT,
  error TEXT,
  retry_at BIGINT,
  started_at BIGINT,
  ended_at BIGINT,
  PRIMARY KEY (workflow_run_id, task_key)
);
CREATE INDEX workflow_tasks_job ON workflow_tasks (workflow_run_id, job_id, idx);
CREATE INDEX workflow_tasks_session ON workflow_tasks (session_id);
CREATE INDEX workflow_tasks_status ON workflow_tasks (workflow_run_id, status);
CREATE INDEX workflow_tasks_question ON workflow_tasks (question_id);
CREATE TABLE workflow_schedule_slots (
  name TEXT NOT NULL,
  slot BIGINT NOT NULL,
  workflow_run_id TEXT,
  fired_at BIGINT NOT NULL,
  PRIMARY KEY (name, slot)
);
ALTER TABLE sessions ADD COLUMN workflow_run_id TEXT;
ALTER TABLE sessions ADD COLUMN metadata TEXT;
ALTER TABLE runs ADD COLUMN workflow_run_id TEXT;
CREATE INDEX runs_callback_session ON runs (callback_session_id)
`;
}
