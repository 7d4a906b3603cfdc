/** Workflow runs and definitions as the API shows them (protocol/workflows.ts). */
import type { z } from 'zod';
import type { JobDef } from '../../lib/workflow/model.js';
import { nextSlot, parseSchedule } from '../../lib/workflow/schedule.js';
import type { JobStatus, WorkflowJobViewSchema, WorkflowRunSummarySchema, WorkflowRunViewSchema, WorkflowSummarySchema, WorkflowTaskViewSchema } from '../../protocol/workflows.js';
import type { JobTasksSummary, TaskRead, WorkflowRunListed, WorkflowRunRead } from '../store/ops/read-workflow-runs.js';
import type { WorkflowDefinitionRecord, WorkflowJobRecord, WorkflowRunRecord } from '../store/workflow-rows.js';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** What a job runs, in a few words. */
export function jobLabel(job: JobDef): string {
  if (job.kind === 'run') return `$ ${(job.run ?? '').split('\n')[0]!.slice(0, 80)}`;
  if (job.kind === 'gate') return `gate: ${(job.gate?.question ?? '').slice(0, 80)}`;
  if (job.kind === 'workflow') return `workflow ${job.workflow ?? ''}`;
  return job.agent ?? job.executor ?? 'agent';
}

/** A task in flight shows its session's state: queued until a runner starts it. */
function liveStatus(task: TaskRead): JobStatus {
  if (task.status !== 'running' || task.session_status === null) return task.status;
  return task.session_status === 'queued' ? 'queued' : 'running';
}

function renderTask(task: TaskRead): z.input<typeof WorkflowTaskViewSchema> {
  return {
    key: task.task_key, matrix: task.matrix, status: liveStatus(task), attempt: task.attempt, session_id: task.session_id, session_ids: task.session_ids,
    question_id: task.question_id, child_workflow_run_id: task.child_workflow_run_id, outputs: task.outputs, error: task.error,
    retry_at: iso(task.retry_at), started_at: iso(task.started_at), ended_at: iso(task.ended_at), cost_usd: task.cost_usd,
  };
}

/** A job in flight is `running` when one of its tasks runs, `waiting` when one waits for a person or a nested run, else `queued`. */
function jobLiveStatus(rec: WorkflowJobRecord, tasks: z.input<typeof WorkflowTaskViewSchema>[]): JobStatus {
  if (rec.status !== 'running') return rec.status;
  if (tasks.some((t) => t.status === 'running')) return 'running';
  if (tasks.some((t) => t.status === 'waiting')) return 'waiting';
  return 'queued';
}

/** A job in flight from its tasks summed up: as jobLiveStatus, from the counts. */
function summaryStatus(rec: WorkflowJobRecord, summary: JobTasksSummary | undefined): JobStatus {
  if (rec.status !== 'running' || summary === undefined) return rec.status;
  return summary.running > 0 ? 'running' : summary.waiting > 0 ? 'waiting' : 'queued';
}

function renderJob(job: JobDef, rec: WorkflowJobRecord, tasks: TaskRead[], summary: JobTasksSummary | undefined, now: number): z.input<typeof WorkflowJobViewSchema> {
  const views = tasks.map(renderTask);
  return {
    id: job.id, kind: job.kind, label: jobLabel(job), needs: job.needs,
    status: summary === undefined ? jobLiveStatus(rec, views) : summaryStatus(rec, summary), result: rec.result, reason: rec.reason,
    continue_on_error: job.continue_on_error, attempts: summary?.attempts ?? Math.max(0, ...tasks.map((t) => t.attempt)), started_at: iso(rec.started_at), ended_at: iso(rec.ended_at),
    duration_ms: rec.started_at === null ? null : (rec.ended_at ?? now) - rec.started_at,
    cost_usd: summary?.cost_usd ?? tasks.reduce((sum, t) => sum + t.cost_usd, 0),
    ...(summary === undefined ? {} : { in_flight: { queued: summary.queued, running: summary.running, waiting: summary.waiting } }),
    outputs: rec.outputs,
    matrix: job.matrix === null ? null : { total: rec.tasks_total, done: rec.tasks_done, failed: rec.tasks_failed },
    tasks: views,
  };
}

function counts(jobs: readonly Pick<WorkflowJobRecord, 'status'>[]) {
  const n = (s: JobStatus) => jobs.filter((j) => j.status === s).length;
  return {
    total: jobs.length, done: jobs.filter((j) => ['succeeded', 'failed', 'cancelled', 'skipped'].includes(j.status)).length,
    succeeded: n('succeeded'), failed: n('failed'), skipped: n('skipped'), cancelled: n('cancelled'),
  };
}

function renderRunFields(run: WorkflowRunRecord, now: number) {
  return {
    workflow_run_id: run.id, name: run.name, status: run.status, trigger: run.trigger, inputs: run.inputs, root_session_id: run.root_session_id,
    parent_session_id: run.parent_session_id, parent_workflow_run_id: run.parent_workflow_run_id, parent_job: run.parent_task, attempt: run.attempt,
    error: run.error, cancel_requested: run.cancel_requested, created_at: new Date(run.created_at).toISOString(), ended_at: iso(run.ended_at),
    duration_ms: (run.ended_at ?? now) - run.created_at, version: run.version,
  };
}

/** A workflow run with every job and task. */
export function renderWorkflowRun(read: WorkflowRunRead, now = Date.now()): z.input<typeof WorkflowRunViewSchema> {
  const byJob = new Map<string, TaskRead[]>();
  for (const t of read.tasks) byJob.set(t.job_id, [...(byJob.get(t.job_id) ?? []), t]);
  const recs = new Map(read.jobs.map((j) => [j.job_id, j]));
  const jobs = read.def.jobs.flatMap((job) => {
    const rec = recs.get(job.id);
    return rec === undefined ? [] : [renderJob(job, rec, byJob.get(job.id) ?? [], read.summaries?.get(job.id), now)];
  });
  return { ...renderRunFields(read.run, now), totals: read.totals, counts: counts(read.jobs), tasks_included: read.summaries === null, jobs };
}

/** A workflow run in a list. */
export function renderWorkflowRunSummary(listed: WorkflowRunListed, now = Date.now()): z.input<typeof WorkflowRunSummarySchema> {
  return { ...renderRunFields(listed.run, now), totals: listed.totals, counts: listed.jobs };
}

/** A definition of the workflows folder. */
export function renderWorkflowSummary(record: WorkflowDefinitionRecord, now = Date.now()): z.input<typeof WorkflowSummarySchema> {
  const def = record.definition;
  let next: number | null = null;
  for (const spec of def.schedules) {
    const parsed = parseSchedule(spec);
    const slot = parsed.ok ? nextSlot(parsed.schedule, now) : null;
    if (slot !== null && (next === null || slot < next)) next = slot;
  }
  return {
    name: def.name, description: def.description, form: def.form, jobs: def.jobs.length, inputs: def.inputs, schedules: def.schedules,
    file: record.file, next_run_at: iso(next), updated_at: new Date(record.updated_at).toISOString(),
  };
}
