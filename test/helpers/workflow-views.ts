import { ZERO_USAGE } from '../../protocol/tree.js';
import { ENDED_JOB_STATUSES, type WorkflowJobView, type WorkflowRunView } from '../../protocol/workflows.js';

/** A job as the API shows it: succeeded in 1 s by default, with one task; override what a test is about. */
export function jobView(id: string, overrides: Partial<WorkflowJobView> = {}): WorkflowJobView {
  const job: WorkflowJobView = {
    id,
    kind: 'agent',
    label: `agent ${id}`,
    needs: [],
    status: 'succeeded',
    result: 'success',
    reason: null,
    continue_on_error: false,
    attempts: 1,
    started_at: '2026-12-02T09:00:00.000Z',
    ended_at: '2026-12-02T09:00:01.000Z',
    duration_ms: 1_000,
    cost_usd: 0,
    outputs: null,
    matrix: null,
    tasks: [],
    ...overrides,
  };
  if (overrides.tasks === undefined) {
    job.tasks = [
      {
        key: id,
        matrix: null,
        status: job.status,
        attempt: job.attempts,
        session_id: null,
        session_ids: [],
        question_id: null,
        child_workflow_run_id: null,
        outputs: job.outputs,
        error: null,
        retry_at: null,
        started_at: job.started_at,
        ended_at: job.ended_at,
        cost_usd: job.cost_usd,
      },
    ];
  }
  return job;
}

/** A run as the API shows it, its counts derived from its jobs. */
export function runView(jobs: WorkflowJobView[], overrides: Partial<WorkflowRunView> = {}): WorkflowRunView {
  const count = (status: string) => jobs.filter((job) => job.status === status).length;
  return {
    workflow_run_id: 'wr_0001',
    name: 'pipeline',
    status: 'running',
    trigger: 'cli',
    inputs: {},
    root_session_id: 'ses_root',
    parent_session_id: null,
    parent_workflow_run_id: null,
    parent_job: null,
    attempt: 1,
    error: null,
    created_at: '2026-12-02T09:00:00.000Z',
    ended_at: null,
    duration_ms: null,
    totals: { ...ZERO_USAGE, cost_usd: jobs.reduce((sum, job) => sum + job.cost_usd, 0) },
    counts: {
      total: jobs.length,
      done: jobs.filter((job) => ENDED_JOB_STATUSES.includes(job.status)).length,
      succeeded: count('succeeded'),
      failed: count('failed'),
      skipped: count('skipped'),
      cancelled: count('cancelled'),
    },
    version: 1,
    jobs,
    ...overrides,
  };
}
