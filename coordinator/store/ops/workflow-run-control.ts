import { newId } from '../../ids.js';
import type { SqlClient } from '../sql-client.js';
import { ConflictError, NotFoundError } from '../store-errors.js';
import { insertRun } from './create-session.js';
import { NEVER, startRootRun } from './start-workflow-run.js';
import { settleWorkflow } from './workflow-settle.js';
import { lockWorkflow, saveWorkflow, writeJob } from './workflow-state.js';
import { requestWorkflowStop } from './workflow-events.js';
import type { WorkflowRunRecord } from '../workflow-rows.js';

/**
 * `workflow cancel`: stop a running workflow run (its jobs in flight are cancelled; `always()` and
 * `cancelled()` jobs still run). Idempotent while it is being stopped. @throws ConflictError once it ended.
 */
export async function cancelWorkflowRun(sql: SqlClient, id: string, now: number): Promise<WorkflowRunRecord> {
  return sql.transaction(async (tx) => {
    const stoppedNow = await requestWorkflowStop(tx, id, 'cancel', now);
    const state = await lockWorkflow(tx, id);
    if (state === null) throw new NotFoundError('workflow run', id);
    // Ended by this cancel (nothing was in flight) or before it: only the latter is refused.
    if (state.run.status !== 'running' && !stoppedNow) {
      throw new ConflictError(`workflow run ${id} already ${state.run.status}`, { workflow_run_id: id, status: state.run.status });
    }
    return state.run;
  });
}

/**
 * `workflow resume`: re-run the jobs that failed, were cancelled or skipped, and every job that needs one of
 * them, under the same workflow run (its attempt counts up); the jobs that succeeded keep their outputs.
 * The root session gets a new run of the engine. @throws ConflictError while it runs or when it succeeded.
 */
export async function resumeWorkflowRun(sql: SqlClient, id: string, now: number): Promise<WorkflowRunRecord> {
  return sql.transaction(async (tx) => {
    const state = await lockWorkflow(tx, id);
    if (state === null) throw new NotFoundError('workflow run', id);
    if (state.run.status === 'running') throw new ConflictError(`workflow run ${id} is running; cancel it first or wait for it to end`, { workflow_run_id: id, status: 'running' });
    if (state.run.status === 'succeeded') throw new ConflictError(`workflow run ${id} succeeded: nothing to re-run`, { workflow_run_id: id, status: 'succeeded' });
    const again = new Set<string>();
    for (const job of state.def.jobs) {
      const rec = state.jobs.get(job.id)!;
      if (rec.status !== 'succeeded' || job.needs.some((n) => again.has(n))) again.add(job.id);
    }
    for (const jobId of again) {
      const rec = state.jobs.get(jobId)!;
      await tx.query('DELETE FROM workflow_tasks WHERE workflow_run_id = ? AND job_id = ?', [id, jobId]);
      await writeJob(tx, state, {
        ...rec, status: 'pending', result: null, reason: null, outputs: null, tasks_total: 0, tasks_started: 0, tasks_done: 0, tasks_failed: 0, tasks_cancelled: 0,
        attempts: 0, started_at: null, ended_at: null,
      });
    }
    const [root] = await tx.query(`SELECT priority, tags, executor_session_id FROM sessions WHERE id = ?${tx.forUpdate()}`, [state.run.root_session_id]);
    if (root === undefined) {
      throw new ConflictError(`workflow run ${id}: its root session ${state.run.root_session_id} was deleted; start the workflow again`, { workflow_run_id: id });
    }
    const runId = newId('run');
    await insertRun(tx, {
      id: runId, session_id: state.run.root_session_id, mode: 'start', prompt: `workflow ${state.def.name} (resume ${state.run.attempt + 1})`,
      priority: Number(root?.priority ?? 0), executor: null, tags: String(root?.tags ?? '[]'), timeout_s: state.def.timeout_s, max_attempts: 1,
      executor_session_id: null, available_at: NEVER,
    }, now);
    await tx.query('UPDATE sessions SET last_run_id = ?, runner_id = NULL WHERE id = ?', [runId, state.run.root_session_id]);
    await startRootRun(tx, state.run.root_session_id, runId, state.def.name, now);
    const timeoutAt = state.def.timeout_s === null ? null : now + state.def.timeout_s * 1000;
    await tx.query("UPDATE workflow_runs SET status = 'running', error = NULL, cancel_requested = NULL, ended_at = NULL, attempt = attempt + 1, timeout_at = ? WHERE id = ?", [timeoutAt, id]);
    state.run = { ...state.run, status: 'running', error: null, cancel_requested: null, ended_at: null, attempt: state.run.attempt + 1, timeout_at: timeoutAt };
    state.dirty = true;
    await settleWorkflow(tx, state, now);
    await saveWorkflow(tx, state, now);
    return state.run;
  });
}

/** Stop the running workflow runs past their timeout (each in a transaction of its own). @returns their ids. */
export async function timeOutWorkflowRuns(sql: SqlClient, ids: readonly string[], now: number): Promise<string[]> {
  const stopped: string[] = [];
  for (const id of ids) if (await sql.transaction((tx) => requestWorkflowStop(tx, id, 'timeout', now))) stopped.push(id);
  return stopped;
}

