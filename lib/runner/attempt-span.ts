import type { Assignment } from '../../protocol/runners.js';
import { formatTraceparent, parseTraceparent } from '../../protocol/trace-context.js';
import { attemptSpanId } from '../trace/trace-ids.js';
import type { RunOutcome } from '../process/run-outcome.js';
import { spanAttributes } from '../trace/span-attributes.js';
import type { FinishedSpan } from '../trace/tracing.js';

/**
 * The traceparent an attempt's executor gets (`TRACEPARENT`, `metadata.traceparent`): the attempt's span,
 * a child of the run's span the coordinator sent. Null when the run has no trace context. Pure.
 */
export function attemptTraceparent(assignment: Assignment): string | null {
  const run = parseTraceparent(assignment.invocation.metadata.traceparent);
  if (run === null) return null;
  return formatTraceparent({ ...run, parentSpanId: attemptSpanId(assignment.run.run_id, assignment.run.attempt) });
}

/**
 * The runner's span of one attempt of a run: from its claim here to its executor's end, on this machine's
 * clock, under the run's span (whose id the coordinator derived from the run id). Null without a trace
 * context. `usage` is the last usage event the executor printed (the run's totals so far). Pure.
 */
export function attemptSpan(assignment: Assignment, outcome: RunOutcome, startMs: number, endMs: number, usage: Record<string, unknown> | undefined): FinishedSpan | null {
  const run = parseTraceparent(assignment.invocation.metadata.traceparent);
  if (run === null) return null;
  const { invocation } = assignment;
  return {
    name: `attempt ${invocation.agent ?? invocation.executor ?? 'session'}`,
    traceId: run.traceId,
    spanId: attemptSpanId(assignment.run.run_id, assignment.run.attempt),
    parentSpanId: run.parentSpanId,
    flags: run.flags,
    startMs,
    endMs,
    attributes: spanAttributes(
      {
        session_id: invocation.session_id, run_id: assignment.run.run_id, agent: invocation.agent, executor: invocation.executor,
        runner_id: invocation.metadata.runner_id, attempt: assignment.run.attempt, mode: invocation.mode,
        outcome: outcome.kind, exit_code: outcome.exit_code, duration_ms: Math.round(outcome.duration_ms),
        model: invocation.model,
      },
      usage,
      invocation.model,
    ),
    error: outcome.kind === 'succeeded' ? undefined : outcome.message,
  };
}
