/**
 * What expressions of a workflow run see: `inputs`, `jobs.ID.{result, outcome, outputs}`, `matrix`. Built
 * from the locked state (lib/workflow/expressions.ts evaluates them).
 */
import { jobStatusView, type JobStatusView } from '../../../lib/workflow/expressions.js';
import type { JobResult } from '../../../protocol/workflows.js';
import { ancestorResults } from '../../rules/workflow-rules.js';
import type { WorkflowState } from './workflow-state.js';

/** A job's outcome before continue-on-error: `failure` even when its result passed as `success`. */
function outcomeOf(status: string, result: JobResult | null): JobResult | null {
  if (status === 'failed') return 'failure';
  return result;
}

/** The expression context of a job (with its matrix instance's values, if any). */
export function expressionContext(state: WorkflowState, matrix: Record<string, unknown> | null): Record<string, unknown> {
  const jobs: Record<string, unknown> = {};
  for (const [id, job] of state.jobs) jobs[id] = { result: job.result, outcome: outcomeOf(job.status, job.result), outputs: job.outputs ?? {} };
  return { inputs: state.run.inputs, jobs, matrix: matrix ?? {} };
}

/** The status functions of one job (over its ancestors' results), as lib/workflow/expressions.ts asks for them. */
export function jobStatus(state: WorkflowState, jobId: string): JobStatusView {
  return jobStatusView(ancestorResults(state.def, jobId, state.jobs), state.run.cancel_requested !== null);
}
