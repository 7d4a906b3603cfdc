import { newId } from '../../ids.js';
import { toRun } from '../rows.js';
import type { SqlClient } from '../sql-client.js';
import { placeholders } from '../sql-client.js';
import { type NewWorkflowRun, toWorkflowJob, toWorkflowRun, WORKFLOW_RUN_COLUMNS, type WorkflowRunStarted } from '../workflow-rows.js';
import { appendRunStatusEvent } from './append-run-status-event.js';
import { createSession } from './create-session.js';
import { settleWorkflow } from './workflow-settle.js';
import { cacheDefinition, runOutputs, saveWorkflow, type WorkflowState } from './workflow-state.js';

/** Rows per multi-row INSERT of a workflow's jobs. */
const JOB_INSERT_CHUNK = 200;

/** A time no claim reaches: the root's run is made as a queued run, never offered, then turned into the engine's. */
export const NEVER = 8_640_000_000_000_000;

/**
 * Make the root session a workflow's jobs go under: a session with no agent and no executor whose one run
 * (mode `workflow`) is running while the workflow runs and is held by no runner (the engine ends it).
 */
export async function startRootRun(tx: SqlClient, sessionId: string, runId: string, name: string, now: number): Promise<void> {
  const [row] = await tx.query(
    "UPDATE runs SET mode = 'workflow', status = 'running', claimed_at = ?, started_at = ?, available_at = ?, workflow_run_id = NULL, status_seq = status_seq + 1 WHERE id = ? RETURNING *",
    [now, now, now, runId],
  );
  const run = toRun(row!);
  await appendRunStatusEvent(tx, run, Number(row!.status_seq), now, `workflow ${name} started`);
  await tx.query("UPDATE sessions SET status = 'running', ended_at = NULL, updated_at = ? WHERE id = ?", [now, sessionId]);
}

/** Start a workflow run inside the caller's transaction: its root session, its jobs' rows, and every job that can start now. */
export async function startWorkflowRunIn(tx: SqlClient, input: NewWorkflowRun, now: number): Promise<WorkflowRunStarted> {
  const id = newId('wfr');
  const { def } = input;
  const budget = input.budget ?? def.budget;
  const { session, run } = await createSession(tx, {
    agent: null, executor: null, tags: input.tags, project_dir: input.project_dir, parent_session_id: input.parent_session_id,
    priority: input.priority, timeout_s: def.timeout_s, prompt: `workflow ${def.name}`, max_attempts: 1,
    budget, budget_is_default: input.budget === null && def.budget !== null, workflow_run_id: id, available_at: NEVER,
  }, now);
  await startRootRun(tx, session.id, run.id, def.name, now);
  const [row] = await tx.query(
    `INSERT INTO workflow_runs (id, name, definition, inputs, status, trigger, root_session_id, parent_session_id, parent_workflow_run_id, parent_task,
       project_dir, priority, tags, timeout_at, created_at, updated_at)
     VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${WORKFLOW_RUN_COLUMNS}`,
    [id, def.name, JSON.stringify(def), JSON.stringify(input.inputs), input.trigger, session.id, input.parent_session_id, input.parent_workflow_run_id ?? null,
      input.parent_task ?? null, input.project_dir, input.priority, JSON.stringify(input.tags), def.timeout_s === null ? null : now + def.timeout_s * 1000, now, now],
  );
  const jobRows = def.jobs.map((job, ord) => [id, job.id, ord]);
  for (let i = 0; i < jobRows.length; i += JOB_INSERT_CHUNK) {
    const chunk = jobRows.slice(i, i + JOB_INSERT_CHUNK);
    await tx.query(`INSERT INTO workflow_jobs (workflow_run_id, job_id, ord, status) VALUES ${chunk.map(() => `(${placeholders(3)}, 'pending')`).join(', ')}`, chunk.flat());
  }
  cacheDefinition(id, def);
  const state: WorkflowState = {
    run: toWorkflowRun(row!),
    def,
    jobs: new Map(def.jobs.map((job, ord) => [job.id, toWorkflowJob({ job_id: job.id, ord, status: 'pending', tasks_total: 0, tasks_started: 0, tasks_done: 0, tasks_failed: 0, tasks_cancelled: 0, attempts: 0 })])),
    dirty: true,
    unwritten: new Set(),
    outputs: new Map(),
  };
  await settleWorkflow(tx, state, now);
  await saveWorkflow(tx, state, now);
  const ended = state.run.status !== 'running';
  return { run: state.run, id, status: state.run.status, error: state.run.error, outputs: ended ? await runOutputs(tx, id) : null };
}

/** Start a workflow run in a transaction of its own. */
export function startWorkflowRun(sql: SqlClient, input: NewWorkflowRun, now: number): Promise<WorkflowRunStarted> {
  return sql.transaction((tx) => startWorkflowRunIn(tx, input, now));
}

export type { NewWorkflowRun, WorkflowRunStarted };
