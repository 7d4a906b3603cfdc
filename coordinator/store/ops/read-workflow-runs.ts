import type { WorkflowDef } from '../../../lib/workflow/model.js';
import type { SessionStatus } from '../../../protocol/statuses.js';
import type { UsageTotals } from '../../../protocol/tree.js';
import type { WorkflowRunStatus } from '../../../protocol/workflows.js';
import type { SqlClient } from '../sql-client.js';
import { loadDefinition } from './workflow-state.js';
import { toWorkflowJob, toWorkflowRun, toWorkflowTask, WORKFLOW_RUN_COLUMNS, type WorkflowJobRecord, type WorkflowRunRecord, type WorkflowTaskRecord } from '../workflow-rows.js';

/** A task with what its current session says now (its status, and its subtree's cost). */
export interface TaskRead extends WorkflowTaskRecord {
  session_status: SessionStatus | null;
  cost_usd: number;
}

/** A job's tasks summed up (what a follower needs without every task): in flight by their sessions' state, cost, most attempts. */
export interface JobTasksSummary {
  queued: number;
  running: number;
  waiting: number;
  cost_usd: number;
  attempts: number;
  /** The sessions of its tasks in flight (a follower hears them start). */
  sessions: string[];
}

/** Everything `GET /v1/workflow-runs/:id` shows. */
export interface WorkflowRunRead {
  run: WorkflowRunRecord;
  def: WorkflowDef;
  jobs: WorkflowJobRecord[];
  /** Every task (empty when read without them). */
  tasks: TaskRead[];
  /** Read without tasks: each job's tasks summed up instead. */
  summaries: Map<string, JobTasksSummary> | null;
  totals: UsageTotals;
}

const TOTAL_COLUMNS = 'tree_input_tokens, tree_output_tokens, tree_cache_read_input_tokens, tree_cache_creation_input_tokens, tree_cost_usd';

function totalsOf(row: Record<string, unknown> | undefined): UsageTotals {
  return {
    input_tokens: Number(row?.tree_input_tokens ?? 0),
    output_tokens: Number(row?.tree_output_tokens ?? 0),
    cache_read_input_tokens: Number(row?.tree_cache_read_input_tokens ?? 0),
    cache_creation_input_tokens: Number(row?.tree_cache_creation_input_tokens ?? 0),
    cost_usd: Number(row?.tree_cost_usd ?? 0),
  };
}

/**
 * A workflow run with its definition, jobs, tasks (each with its session's status and cost) and its tree's
 * totals. Without `tasks`, each job's tasks are summed up by one aggregate instead, and only the sessions of
 * tasks in flight are listed: what a live follower reads on every change, however wide the matrix.
 */
export async function readWorkflowRun(sql: SqlClient, id: string, options: { tasks?: boolean } = {}): Promise<WorkflowRunRead | null> {
  const [row] = await sql.query(`SELECT ${WORKFLOW_RUN_COLUMNS} FROM workflow_runs WHERE id = ?`, [id]);
  if (row === undefined) return null;
  const run = toWorkflowRun(row);
  // A run's definition never changes: parsed once per process (a follower reads the run on every change).
  const def = await loadDefinition(sql, id);
  const jobs = (await sql.query('SELECT * FROM workflow_jobs WHERE workflow_run_id = ? ORDER BY ord', [id])).map(toWorkflowJob);
  const [root] = await sql.query(`SELECT ${TOTAL_COLUMNS} FROM sessions WHERE id = ?`, [run.root_session_id]);
  if (options.tasks === false) return { run, def, jobs, tasks: [], summaries: await summarizeTasks(sql, id), totals: totalsOf(root) };
  const taskRows = await sql.query(
    `SELECT t.*, s.status AS session_status, s.tree_cost_usd AS session_cost FROM workflow_tasks t LEFT JOIN sessions s ON s.id = t.session_id
     WHERE t.workflow_run_id = ? ORDER BY t.job_id, t.idx`,
    [id],
  );
  const tasks = taskRows.map((r) => ({
    ...toWorkflowTask(r),
    session_status: r.session_status === null || r.session_status === undefined ? null : (String(r.session_status) as SessionStatus),
    cost_usd: Number(r.session_cost ?? 0),
  }));
  return { run, def, jobs, tasks, summaries: null, totals: totalsOf(root) };
}

/** Each job's tasks summed up, in two statements (an aggregate, and the sessions of tasks in flight). */
async function summarizeTasks(sql: SqlClient, id: string): Promise<Map<string, JobTasksSummary>> {
  const rows = await sql.query<Record<string, unknown>>(
    `SELECT t.job_id,
       SUM(CASE WHEN t.status = 'running' AND s.status = 'queued' THEN 1 ELSE 0 END) AS queued,
       SUM(CASE WHEN t.status = 'running' AND (s.status IS NULL OR s.status <> 'queued') THEN 1 ELSE 0 END) AS running,
       SUM(CASE WHEN t.status = 'waiting' THEN 1 ELSE 0 END) AS waiting,
       COALESCE(SUM(s.tree_cost_usd), 0) AS cost, MAX(t.attempt) AS attempts
     FROM workflow_tasks t LEFT JOIN sessions s ON s.id = t.session_id WHERE t.workflow_run_id = ? GROUP BY t.job_id`,
    [id],
  );
  const out = new Map<string, JobTasksSummary>(
    rows.map((r) => [String(r.job_id), { queued: Number(r.queued ?? 0), running: Number(r.running ?? 0), waiting: Number(r.waiting ?? 0), cost_usd: Number(r.cost ?? 0), attempts: Number(r.attempts ?? 0), sessions: [] }]),
  );
  const flying = await sql.query<{ job_id: unknown; session_id: unknown }>(
    "SELECT job_id, session_id FROM workflow_tasks WHERE workflow_run_id = ? AND status = 'running' AND session_id IS NOT NULL",
    [id],
  );
  for (const f of flying) out.get(String(f.job_id))?.sessions.push(String(f.session_id));
  return out;
}

/** Workflow runs newest first, each with its jobs' counts and its tree's totals. */
export interface WorkflowRunListed {
  run: WorkflowRunRecord;
  jobs: { total: number; done: number; succeeded: number; failed: number; skipped: number; cancelled: number };
  totals: UsageTotals;
}

export async function listWorkflowRuns(
  sql: SqlClient,
  filter: { name?: string | undefined; status?: WorkflowRunStatus | undefined },
  page: { limit: number; before: number | null },
): Promise<{ runs: WorkflowRunListed[]; next: number | null }> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.name !== undefined) {
    where.push('w.name = ?');
    params.push(filter.name);
  }
  if (filter.status !== undefined) {
    where.push('w.status = ?');
    params.push(filter.status);
  }
  if (page.before !== null) {
    where.push('w.seq < ?');
    params.push(page.before);
  }
  const rows = await sql.query(
    `SELECT ${WORKFLOW_RUN_COLUMNS.split(', ').map((c) => `w.${c}`).join(', ')}, ${TOTAL_COLUMNS.split(', ').map((c) => `s.${c}`).join(', ')},
       (SELECT COUNT(*) FROM workflow_jobs j WHERE j.workflow_run_id = w.id) AS n_total,
       (SELECT COUNT(*) FROM workflow_jobs j WHERE j.workflow_run_id = w.id AND j.status IN ('succeeded', 'failed', 'cancelled', 'skipped')) AS n_done,
       (SELECT COUNT(*) FROM workflow_jobs j WHERE j.workflow_run_id = w.id AND j.status = 'succeeded') AS n_succeeded,
       (SELECT COUNT(*) FROM workflow_jobs j WHERE j.workflow_run_id = w.id AND j.status = 'failed') AS n_failed,
       (SELECT COUNT(*) FROM workflow_jobs j WHERE j.workflow_run_id = w.id AND j.status = 'skipped') AS n_skipped,
       (SELECT COUNT(*) FROM workflow_jobs j WHERE j.workflow_run_id = w.id AND j.status = 'cancelled') AS n_cancelled
     FROM workflow_runs w LEFT JOIN sessions s ON s.id = w.root_session_id
     ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`} ORDER BY w.seq DESC LIMIT ?`,
    [...params, page.limit + 1],
  );
  const runs = rows.slice(0, page.limit).map((r) => ({
    run: toWorkflowRun(r),
    jobs: { total: Number(r.n_total), done: Number(r.n_done), succeeded: Number(r.n_succeeded), failed: Number(r.n_failed), skipped: Number(r.n_skipped), cancelled: Number(r.n_cancelled) },
    totals: totalsOf(r),
  }));
  return { runs, next: rows.length > page.limit ? runs[runs.length - 1]!.run.seq : null };
}

/** Running workflow runs past their timeout that are not being stopped yet (at most `max`). */
export async function listTimedOutWorkflowRuns(sql: SqlClient, now: number, max: number): Promise<string[]> {
  const rows = await sql.query<{ id: unknown }>(
    "SELECT id FROM workflow_runs WHERE status = 'running' AND cancel_requested IS NULL AND timeout_at IS NOT NULL AND timeout_at <= ? ORDER BY timeout_at LIMIT ?",
    [now, max],
  );
  return rows.map((r) => String(r.id));
}
