import { describe, expect, it } from 'vitest';
import { NO_RETRY, type JobDef, type WorkflowDef } from '../../lib/workflow/model.js';
import type { QuestionRecord } from '../types.js';
import { jobStatusView } from '../../lib/workflow/expressions.js';
import { ancestorResults, defaultOutputs, gateOutcome, jobConclusion, retryDelayMs, skipReason, workflowOutcome } from './workflow-rules.js';

/** A job's status functions as the engine builds them (workflow-context.ts jobStatus), as plain values. */
function statusFunctions(d: WorkflowDef, id: string, jobs: Parameters<typeof ancestorResults>[2], cancelling: boolean) {
  const view = jobStatusView(ancestorResults(d, id, jobs), cancelling);
  return { success: view.success(), failure: view.failure(), cancelled: view.cancelled() };
}

const job = (id: string, needs: string[] = [], extra: Partial<JobDef> = {}): JobDef => ({
  id, needs, if: null, kind: 'agent', agent: null, executor: 'x', run: null, gate: null, workflow: null, prompt: null, with: {}, outputs: null,
  matrix: null, retry: NO_RETRY, timeout_s: null, continue_on_error: false, tags: [], priority: 0, at: null, ...extra,
});
const def = (jobs: JobDef[]): WorkflowDef => ({ name: 'w', description: null, form: 'jobs', inputs: {}, defaults: {}, budget: null, timeout_s: null, schedules: [], jobs });

describe('workflow rules', () => {
  it('status functions look at every ancestor, not only the direct needs', () => {
    const d = def([job('a'), job('b', ['a']), job('c', ['b'])]);
    const results = new Map([['a', { result: 'failure' as const }], ['b', { result: 'success' as const }]]);
    expect(statusFunctions(d, 'c', results, false)).toEqual({ success: false, failure: true, cancelled: false });
    const fine = new Map([['a', { result: 'success' as const }], ['b', { result: 'success' as const }]]);
    expect(statusFunctions(d, 'c', fine, false)).toEqual({ success: true, failure: false, cancelled: false });
    expect(statusFunctions(d, 'c', fine, true)).toEqual({ success: false, failure: false, cancelled: true });
  });

  it('says why a job is skipped', () => {
    const jobs = new Map([['a', { result: 'failure' as const }], ['b', { result: 'skipped' as const }]]);
    expect(skipReason(job('c', ['a', 'b']), jobs, null)).toBe('a failed');
    expect(skipReason(job('c', ['b']), jobs, null)).toBe('b did not succeed (skipped)');
    expect(skipReason(job('c', ['a'], { if: "inputs.x == 'y'" }), jobs, null)).toBe("if: inputs.x == 'y' was false");
    expect(skipReason(job('c', ['a']), jobs, 'timeout')).toBe('the workflow timed out');
  });

  it('retry delays grow, cap, and jitter between half and the whole delay', () => {
    const retry = { max: 5, backoff: 'exponential' as const, initial_s: 1, max_delay_s: 5 };
    expect([1, 2, 3, 4].map((n) => retryDelayMs(retry, n, () => 1))).toEqual([1000, 2000, 4000, 5000]);
    expect(retryDelayMs(retry, 3, () => 0)).toBe(2000);
    expect(retryDelayMs({ ...retry, backoff: 'linear' }, 3, () => 1)).toBe(3000);
    expect(retryDelayMs({ ...retry, backoff: 'fixed' }, 4, () => 1)).toBe(1000);
    expect(retryDelayMs(retry, 1_000_000, () => 1)).toBe(5000);
  });

  it('concludes a job from its tasks; continue-on-error passes a failure', () => {
    expect(jobConclusion(job('a'), { total: 3, failed: 0, cancelled: 0 })).toEqual({ status: 'succeeded', result: 'success' });
    expect(jobConclusion(job('a'), { total: 3, failed: 0, cancelled: 1 })).toEqual({ status: 'cancelled', result: 'cancelled' });
    expect(jobConclusion(job('a'), { total: 3, failed: 1, cancelled: 2 })).toEqual({ status: 'failed', result: 'failure' });
    expect(jobConclusion(job('a', [], { continue_on_error: true }), { total: 1, failed: 1, cancelled: 0 })).toEqual({ status: 'failed', result: 'success' });
  });

  it('ends a workflow: failed on a failure, cancelled when a job was stopped by hand, else by its stop cause', () => {
    expect(workflowOutcome(null, [{ job_id: 'a', result: 'success', reason: null }])).toEqual({ status: 'succeeded', error: null });
    expect(workflowOutcome(null, [{ job_id: 'a', result: 'failure', reason: 'exit 3' }, { job_id: 'b', result: 'failure', reason: null }])).toEqual({
      status: 'failed', error: 'job a failed: exit 3 (and 1 more)',
    });
    expect(workflowOutcome(null, [{ job_id: 'a', result: 'cancelled', reason: null }])).toEqual({ status: 'cancelled', error: 'job a was cancelled' });
    expect(workflowOutcome('timeout', [])).toEqual({ status: 'failed', error: 'the workflow timed out' });
    expect(workflowOutcome('cancel', [])).toEqual({ status: 'cancelled', error: 'cancelled' });
  });

  it('a task\'s default outputs: its result_data fields and its text', () => {
    expect(defaultOutputs({ result_text: 'done', result_data: { n: 2 } })).toEqual({ n: 2, result: 'done' });
    expect(defaultOutputs({ result_data: [1, 2] })).toEqual({ data: [1, 2] });
    expect(defaultOutputs(null)).toEqual({});
  });

  it('a gate passes on allow or a choice, fails on deny or a timeout without an answer', () => {
    const q = (over: Partial<QuestionRecord>): QuestionRecord => ({
      id: 'q_1', session_id: 's', run_id: 'r', root_session_id: 's', kind: 'approval', question: '?', options: null, details: null, urgency: 'normal', subject: null,
      wait: true, timeout_s: null, timeout_at: null, on_timeout: 'deny', status: 'answered', answer: null, answered_by: 'ada', answered_at: 1, resume: false, resume_run_id: null,
      created_at: 0, ...over,
    });
    expect(gateOutcome(q({ answer: { decision: 'allow' } })).status).toBe('succeeded');
    expect(gateOutcome(q({ answer: { decision: 'deny', message: 'no' } }))).toMatchObject({ status: 'failed', error: 'denied by ada: no' });
    expect(gateOutcome(q({ status: 'timed_out', answer: { decision: 'deny', timed_out: true } })).error).toBe('no answer before its timeout (denied)');
    expect(gateOutcome(q({ kind: 'question', options: ['a', 'b'], answer: { choice: 1, choice_text: 'b' } })).outputs).toMatchObject({ answer: 'b', choice: 1 });
    expect(gateOutcome(q({ kind: 'question', status: 'timed_out', answer: null })).status).toBe('failed');
    expect(gateOutcome(q({ status: 'cancelled' })).status).toBe('cancelled');
  });
});
