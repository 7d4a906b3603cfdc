import { describe, expect, it } from 'vitest';
import { attemptSpanId, runSpanId, runTraceparent, sessionTraceparent } from './trace-ids.js';
import { formatTraceparent, isSampled, NO_PARENT_SPAN, parseTraceparent, traceparentField, traceparentProblem } from '../../protocol/trace-context.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const GIVEN = `00-${TRACE}-00f067aa0ba902b7-01`;

describe('traceparent validation', () => {
  it('accepts a W3C traceparent of version 00, sampled or not', () => {
    expect(traceparentProblem(GIVEN)).toBeNull();
    expect(traceparentProblem(`00-${TRACE}-00f067aa0ba902b7-00`)).toBeNull();
  });

  it.each([
    ['empty', ''],
    ['upper case', GIVEN.toUpperCase()],
    ['another version', `01-${TRACE}-00f067aa0ba902b7-01`],
    ['a short trace id', `00-${TRACE.slice(1)}-00f067aa0ba902b7-01`],
    ['a long parent id', `00-${TRACE}-00f067aa0ba902b7a-01`],
    ['no flags', `00-${TRACE}-00f067aa0ba902b7`],
    ['trailing text', `${GIVEN}-extra`],
    ['spaces', ` ${GIVEN}`],
    ['a new line', `${GIVEN}\n`],
    ['non-hex digits', `00-${TRACE.replace('4', 'g')}-00f067aa0ba902b7-01`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`],
    ['an all-zero parent id', `00-${TRACE}-${'0'.repeat(16)}-01`],
  ])('refuses %s', (_, value) => {
    expect(traceparentProblem(value)).not.toBeNull();
    const parsed = traceparentField.safeParse(value);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toMatch(/^traceparent /);
  });

  it('refuses what is not a string, and anything long, with the field named', () => {
    expect(traceparentField.safeParse(42).error?.issues[0]?.message).toBe('traceparent must be a string');
    expect(traceparentField.safeParse('0'.repeat(10_000)).error?.issues[0]?.message).toMatch(/^traceparent must be 55 characters/);
  });
});

describe('span ids derived from run ids', () => {
  it('are 16 hex digits, the same every time, different per run and per attempt', () => {
    const id = runSpanId('run_abc');
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(runSpanId('run_abc')).toBe(id);
    expect(runSpanId('run_abd')).not.toBe(id);
    expect(attemptSpanId('run_abc', 1)).not.toBe(id);
    expect(attemptSpanId('run_abc', 2)).not.toBe(attemptSpanId('run_abc', 1));
    expect(id).not.toBe(NO_PARENT_SPAN);
  });
});

describe('session and run traceparents', () => {
  it('a root without one starts a new sampled trace with no parent span, different each time', () => {
    const a = parseTraceparent(sessionTraceparent(null))!;
    expect(a).toMatchObject({ parentSpanId: NO_PARENT_SPAN, flags: '01' });
    expect(a.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(parseTraceparent(sessionTraceparent(null))!.traceId).not.toBe(a.traceId);
  });

  it('a root continues the one it was given, flags included', () => {
    expect(sessionTraceparent(null, GIVEN)).toBe(GIVEN);
    expect(isSampled(parseTraceparent(sessionTraceparent(null, `00-${TRACE}-00f067aa0ba902b7-00`))!)).toBe(false);
  });

  it("a child is in its parent's trace, under the span of the parent's run in flight, whatever it was given", () => {
    const parent = { traceparent: GIVEN, last_run_id: 'run_parent' };
    expect(sessionTraceparent(parent, `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`)).toBe(`00-${TRACE}-${runSpanId('run_parent')}-01`);
    // A parent from before traces: the child starts one, still under the parent's run span.
    const legacy = parseTraceparent(sessionTraceparent({ traceparent: null, last_run_id: 'run_old' }))!;
    expect(legacy.parentSpanId).toBe(runSpanId('run_old'));
  });

  it("a run's traceparent is its span in the session's trace, never the stored no-parent id", () => {
    const root = sessionTraceparent(null);
    const run = runTraceparent(root, 'run_1')!;
    expect(traceparentProblem(run)).toBeNull();
    expect(run).toBe(formatTraceparent({ traceId: parseTraceparent(root)!.traceId, parentSpanId: runSpanId('run_1'), flags: '01' }));
    expect(runTraceparent(null, 'run_1')).toBeNull();
  });
});
