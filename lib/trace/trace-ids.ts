/** The ids of our spans, derived so every machine computes the same ones without storing or asking. */
import { createHash, randomBytes } from 'node:crypto';
import { formatTraceparent, NO_PARENT_SPAN, parseTraceparent, ZERO_TRACE_ID } from '../../protocol/trace-context.js';

/** The first 8 bytes of sha256(`text`) as a span id, never all zeros (the next 8 bytes then, else 1). Pure. */
function derivedSpanId(text: string): string {
  const digest = createHash('sha256').update(text).digest('hex');
  for (let i = 0; i + 16 <= digest.length; i += 16) if (digest.slice(i, i + 16) !== NO_PARENT_SPAN) return digest.slice(i, i + 16);
  return '0000000000000001';
}

/** The span id of a run's span: derived from the run id, so the coordinator, every runner and a child's creation agree without storing it. */
export const runSpanId = (runId: string): string => derivedSpanId(runId);

/** The span id of one attempt of a run (the runner's span of the executor it started). */
export const attemptSpanId = (runId: string, attempt: number): string => derivedSpanId(`${runId}/${attempt}`);

/**
 * The traceparent a new session stores: a child's is its parent's trace with, as parent span, the span of
 * the parent's run in flight (`parentRunId`, the parent's last run); a root's is `given` (a CI job's trace
 * goes on), else a new random trace with no parent span. A child ignores `given`: a tree is one trace.
 */
export function sessionTraceparent(parent: { traceparent: string | null; last_run_id: string } | null, given?: string | null): string {
  if (parent !== null) {
    const context = parseTraceparent(parent.traceparent);
    // A parent from before traces were kept: its tree starts a trace here, under the parent's run span.
    const traceId = context?.traceId ?? randomBytes(16).toString('hex');
    return formatTraceparent({ traceId, parentSpanId: runSpanId(parent.last_run_id), flags: context?.flags ?? '01' });
  }
  const context = given == null ? null : parseTraceparent(given);
  if (context !== null) return formatTraceparent(context);
  let traceId = randomBytes(16).toString('hex');
  while (traceId === ZERO_TRACE_ID) traceId = randomBytes(16).toString('hex');
  return formatTraceparent({ traceId, parentSpanId: NO_PARENT_SPAN, flags: '01' });
}

/** The traceparent of a run's span (`00-<trace id>-<run span id>-<flags>`), from its session's; null when the session has none. */
export function runTraceparent(sessionTraceparent: string | null, runId: string): string | null {
  const context = parseTraceparent(sessionTraceparent);
  return context === null ? null : formatTraceparent({ ...context, parentSpanId: runSpanId(runId) });
}
