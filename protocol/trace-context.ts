/**
 * W3C trace context (https://www.w3.org/TR/trace-context/) as this project uses it: the `traceparent` a
 * session is created with, the one each run's span has, and the span ids every machine derives from run
 * ids without asking anyone. Pure functions only; the exporter lives in lib/trace/.
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import './zod-config.js';

/** `version-traceid-parentid-flags`: version 00, 32 and 16 lower-case hex digits, 2 hex digits of flags. */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE_ID = '0'.repeat(32);
/** The parent id a session's stored traceparent has when its runs' spans are roots of the trace (never sent out). */
export const NO_PARENT_SPAN = '0'.repeat(16);

export interface TraceContext {
  traceId: string;
  /** The span this context's spans are children of ({@link NO_PARENT_SPAN} for none). */
  parentSpanId: string;
  /** The W3C trace flags as two hex digits (`01`: sampled). */
  flags: string;
}

/** Why `value` is not a valid W3C traceparent of version 00, or null when it is one. Pure. */
export function traceparentProblem(value: string): string | null {
  const match = TRACEPARENT.exec(value);
  if (match === null) return 'must be "00-" then 32 lower-case hex digits, "-", 16 lower-case hex digits, "-" and 2 hex digits (W3C trace context)';
  if (match[1] === ZERO_TRACE_ID) return 'must not have an all-zero trace id';
  if (match[2] === NO_PARENT_SPAN) return 'must not have an all-zero parent id';
  return null;
}

/** The `traceparent` field of a request: a valid W3C traceparent (version 00), as traceparentProblem says. */
export const traceparentField = z
  .string({ message: 'traceparent must be a string' })
  .max(55, { message: 'traceparent must be 55 characters (00-<trace id>-<parent id>-<flags>)' })
  .superRefine((value, ctx) => {
    const problem = traceparentProblem(value);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: `traceparent ${problem}` });
  })
  .describe('W3C trace context to continue (e.g. a CI job\'s TRACEPARENT): `00-<32 hex>-<16 hex>-<2 hex>`.');

/** Read a stored or received traceparent (a root's stored one may have the all-zero parent id), or null. Pure. */
export function parseTraceparent(value: string | null | undefined): TraceContext | null {
  const match = value == null ? null : TRACEPARENT.exec(value);
  if (match === null || match[1] === ZERO_TRACE_ID) return null;
  return { traceId: match[1]!, parentSpanId: match[2]!, flags: match[3]! };
}

export function formatTraceparent(context: TraceContext): string {
  return `00-${context.traceId}-${context.parentSpanId}-${context.flags}`;
}

/** Whether the context's sampled flag is set (spans of an unsampled trace are not exported). */
export const isSampled = (context: TraceContext): boolean => (Number.parseInt(context.flags, 16) & 1) === 1;

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
