/**
 * The workflow engine's decisions, as pure functions over the definition and the jobs' records: which
 * status functions hold for a job, why it is skipped, how a job concludes from its tasks, a retry's
 * delay, how the workflow ends. The store operations (store/ops/workflow-*.ts) apply them.
 */
import type { JobDef, RetryDef, WorkflowDef } from '../../lib/workflow/model.js';
import type { SessionResult } from '../../protocol/sessions.js';
import type { RunStatus } from '../../protocol/statuses.js';
import { ENDED_JOB_STATUSES, type JobResult, type JobStatus, type WorkflowRunStatus } from '../../protocol/workflows.js';
import type { QuestionRecord, SessionRecord } from '../types.js';
import type { AttemptOutcome, WorkflowJobRecord, WorkflowStopCause } from '../store/workflow-rows.js';

/** A workflow run's root session: it belongs to a workflow run and runs no executor (its one run is the engine's). */
export function isWorkflowRoot(session: Pick<SessionRecord, 'workflow_run_id' | 'executor'>): boolean {
  return session.workflow_run_id !== null && session.executor === null;
}

export function isJobEnded(status: JobStatus): boolean {
  return ENDED_JOB_STATUSES.includes(status);
}

const ancestorCache = new WeakMap<WorkflowDef, Map<string, Set<string>>>();

/** Every job's transitive needs (its ancestors), computed once per definition object. */
export function ancestorsOf(def: WorkflowDef): Map<string, Set<string>> {
  const cached = ancestorCache.get(def);
  if (cached !== undefined) return cached;
  const out = new Map<string, Set<string>>();
  // `jobs` is in topological order: every need's ancestors are known before the job's.
  for (const job of def.jobs) {
    const set = new Set<string>();
    for (const need of job.needs) {
      set.add(need);
      for (const a of out.get(need) ?? []) set.add(a);
    }
    out.set(job.id, set);
  }
  ancestorCache.set(def, out);
  return out;
}

/**
 * The results of every job a job needs, directly or not: what its status functions look at (GitHub Actions'
 * semantics over the ancestors; lib/workflow/expressions.ts jobStatusView decides from them). An ancestor
 * without a result counts as not succeeded.
 */
export function ancestorResults(def: WorkflowDef, jobId: string, jobs: ReadonlyMap<string, Pick<WorkflowJobRecord, 'result'>>): JobResult[] {
  return [...(ancestorsOf(def).get(jobId) ?? [])].map((id) => jobs.get(id)?.result ?? 'skipped');
}

/** Why a job whose condition is false is skipped, in words for the report. */
export function skipReason(job: JobDef, jobs: ReadonlyMap<string, Pick<WorkflowJobRecord, 'result'>>, cancelling: WorkflowStopCause | null): string {
  if (cancelling !== null) return cancelling === 'timeout' ? 'the workflow timed out' : cancelling === 'budget' ? "the workflow's budget was passed" : 'the workflow was cancelled';
  if (job.if === null) {
    const failed = job.needs.filter((n) => jobs.get(n)?.result === 'failure');
    if (failed.length > 0) return `${failed.join(', ')} failed`;
    const notDone = job.needs.filter((n) => jobs.get(n)?.result !== 'success');
    if (notDone.length > 0) return `${notDone.join(', ')} did not succeed (${notDone.map((n) => jobs.get(n)?.result ?? 'no result').join(', ')})`;
    return 'an earlier job did not succeed';
  }
  return `if: ${job.if} was false`;
}

/**
 * The delay before retry `n` (1 for the first retry): exponential, linear or fixed from `initial_s`,
 * capped at `max_delay_s`, with jitter: a uniform draw between half the delay and the delay ("equal
 * jitter": retries of jobs that failed together spread out, yet the delay still grows).
 */
export function retryDelayMs(retry: RetryDef, n: number, random: () => number = Math.random): number {
  const step = Math.max(1, n);
  const base = retry.backoff === 'fixed' ? retry.initial_s : retry.backoff === 'linear' ? retry.initial_s * step : retry.initial_s * 2 ** Math.min(30, step - 1);
  const capped = Math.min(base, retry.max_delay_s) * 1000;
  return Math.round(capped / 2 + (capped / 2) * random());
}

/** How a task's attempt ended, from its session's last run. */
export function taskOutcomeOf(status: RunStatus): 'succeeded' | 'failed' | 'cancelled' {
  return status === 'succeeded' ? 'succeeded' : status === 'cancelled' ? 'cancelled' : 'failed';
}

/** A task's outputs when its job declares none: its result_data fields (a non-object as `data`) and its result text as `result`. */
export function defaultOutputs(result: SessionResult | null): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const data = result?.result_data;
  if (data !== null && data !== undefined) {
    if (typeof data === 'object' && !Array.isArray(data)) Object.assign(out, data);
    else out.data = data;
  }
  if (typeof result?.result_text === 'string') out.result = result.result_text;
  return out;
}

/** The context a declared `outputs:` expression of a task sees: `result` (text), `data` (result_data), `exit_code`, `stdout`. */
export function outputsContext(result: SessionResult | null): Record<string, unknown> {
  const data = result?.result_data ?? null;
  const fields = data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
  return { result: result?.result_text ?? null, data, exit_code: fields.exit_code ?? null, stdout: fields.stdout ?? null };
}

/**
 * How a job ends once all its tasks ended: succeeded when every task did; cancelled when one was
 * cancelled and none failed; else failed, which `continue-on-error` turns into a success result.
 */
export function jobConclusion(job: JobDef, counts: { total: number; failed: number; cancelled: number }): { status: JobStatus; result: JobResult } {
  if (counts.failed === 0 && counts.cancelled === 0) return { status: 'succeeded', result: 'success' };
  if (counts.failed === 0) return { status: 'cancelled', result: 'cancelled' };
  return { status: 'failed', result: job.continue_on_error ? 'success' : 'failure' };
}

/** How a workflow run ends once every job ended. */
export function workflowOutcome(
  cancelling: WorkflowStopCause | null,
  jobs: Iterable<Pick<WorkflowJobRecord, 'job_id' | 'result' | 'reason'>>,
): { status: WorkflowRunStatus; error: string | null } {
  if (cancelling === 'timeout') return { status: 'failed', error: 'the workflow timed out' };
  if (cancelling === 'budget') return { status: 'failed', error: "the workflow's budget was passed" };
  if (cancelling === 'cancel') return { status: 'cancelled', error: 'cancelled' };
  const all = [...jobs];
  const failed = all.filter((j) => j.result === 'failure');
  if (failed.length === 0) {
    // A job stopped by hand (its session stopped) without the run being cancelled: the run did not do all it was to.
    const cancelled = all.find((j) => j.result === 'cancelled');
    return cancelled === undefined ? { status: 'succeeded', error: null } : { status: 'cancelled', error: `job ${cancelled.job_id} was cancelled` };
  }
  const first = failed[0]!;
  const more = failed.length > 1 ? ` (and ${failed.length - 1} more)` : '';
  return { status: 'failed', error: `job ${first.job_id} failed${first.reason === null ? '' : `: ${first.reason}`}${more}` };
}

/** The run status a workflow's root run ends with. */
export function rootRunStatus(status: WorkflowRunStatus): RunStatus {
  return status === 'succeeded' ? 'succeeded' : status === 'cancelled' ? 'cancelled' : 'failed';
}

/** What a gate's closed question means for its task: an allow or a choice passes; a deny, a timeout without allow, a cancel do not. */
export function gateOutcome(q: QuestionRecord): AttemptOutcome {
  const by = q.answered_by ?? 'unknown';
  if (q.status === 'cancelled') return { status: 'cancelled', outputs: null, error: 'the gate was cancelled', final: true };
  const answer = q.answer;
  if (q.kind === 'approval') {
    const decision = answer?.decision ?? 'deny';
    const outputs = { decision, message: answer?.message ?? null, answered_by: by, timed_out: q.status === 'timed_out' };
    if (decision === 'allow') return { status: 'succeeded', outputs, error: null, final: true };
    const why = q.status === 'timed_out' ? 'no answer before its timeout (denied)' : `denied by ${by}${answer?.message ? `: ${answer.message}` : ''}`;
    return { status: 'failed', outputs, error: why, final: true };
  }
  if (q.status === 'timed_out' && (answer === null || (answer.text === undefined && answer.choice === undefined))) {
    return { status: 'failed', outputs: { answered_by: null, timed_out: true }, error: 'no answer before its timeout', final: true };
  }
  const choice = answer?.choice ?? null;
  const text = answer?.choice_text ?? (choice !== null && q.options !== null ? (q.options[choice] ?? null) : (answer?.text ?? null));
  return { status: 'succeeded', outputs: { answer: text, choice, answered_by: by, timed_out: q.status === 'timed_out' }, error: null, final: true };
}
