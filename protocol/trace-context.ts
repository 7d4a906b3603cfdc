/**
 * W3C trace context (https://www.w3.org/TR/trace-context/) as this project uses it: the `traceparent` a
 * session is created with, validated and read. The ids derived from run ids are in lib/trace/trace-ids.ts
 * (they need hashing, which a client command never loads); the exporter is in lib/trace/.
 */
import { z } from 'zod';
import './zod-config.js';

/** `version-traceid-parentid-flags`: version 00, 32 and 16 lower-case hex digits, 2 hex digits of flags. */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
export const ZERO_TRACE_ID = '0'.repeat(32);
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
