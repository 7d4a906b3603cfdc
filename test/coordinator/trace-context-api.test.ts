import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSpanId } from '../../lib/trace/trace-ids.js';
import { type Api, pollRun, registerRunner, STORE_KINDS, startTestCoordinator } from './helpers.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const GIVEN = `00-${TRACE}-00f067aa0ba902b7-01`;

/** `traceparent` on POST /v1/sessions, the trace a tree's sessions share, and the run's traceparent in its claim. */
describe.each(STORE_KINDS)('trace context over the API (%s)', (kind) => {
  let t: Awaited<ReturnType<typeof startTestCoordinator>>;
  let api: Api;
  beforeAll(async () => {
    t = await startTestCoordinator(kind);
    api = t.api;
  });
  afterAll(async () => t?.stop());

  const create = async (body: Record<string, unknown>) => {
    const res = await api('POST', '/v1/sessions', { executor: 'test', prompt: 'x', ...body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { session_id: string; run_id: string };
  };

  it.each([
    ['a number', 42],
    ['null', null],
    ['an empty string', ''],
    ['upper-case hex', GIVEN.toUpperCase()],
    ['version ff', `ff-${TRACE}-00f067aa0ba902b7-01`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`],
    ['an all-zero parent id', `00-${TRACE}-0000000000000000-01`],
    ['a header injection', `${GIVEN}\r\nx-evil: 1`],
    ['a megabyte', 'a'.repeat(1 << 20)],
  ])('refuses a traceparent that is %s with a 400 naming the field', async (_, traceparent) => {
    const res = await api('POST', '/v1/sessions', { executor: 'test', prompt: 'x', traceparent });
    expect([400, 413]).toContain(res.status);
    if (res.status === 400) {
      expect(res.body.error.details.issues[0].path).toBe('traceparent');
      expect(res.body.error.message).toContain('traceparent');
    }
  });

  it("a root continues a given trace; its run's span is under the given span, and a child's under its parent's run span", async () => {
    const root = await create({ traceparent: GIVEN });
    const view = await api('GET', `/v1/sessions/${root.session_id}`);
    expect(view.body.trace_id).toBe(TRACE);
    expect((await t.coordinator.store.getSession(root.session_id))!.traceparent).toBe(GIVEN);

    // A child (even one given a trace of its own) and a grandchild: one trace, each under its parent's run.
    const child = await create({ parent_session_id: root.session_id, traceparent: `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01` });
    const grandchild = await create({ parent_session_id: child.session_id });
    expect((await t.coordinator.store.getSession(child.session_id))!.traceparent).toBe(`00-${TRACE}-${runSpanId(root.run_id)}-01`);
    expect((await t.coordinator.store.getSession(grandchild.session_id))!.traceparent).toBe(`00-${TRACE}-${runSpanId(child.run_id)}-01`);
    expect((await api('GET', `/v1/sessions/${grandchild.session_id}`)).body.trace_id).toBe(TRACE);

    // Each claim carries its run's own span.
    const runner = await registerRunner(api, ['test']);
    const seen = new Map<string, string>();
    for (let i = 0; i < 3; i++) {
      const claimed = await pollRun(api, runner);
      seen.set(claimed.run.run_id, claimed.invocation.metadata.traceparent);
    }
    for (const run of [root, child, grandchild]) expect(seen.get(run.run_id)).toBe(`00-${TRACE}-${runSpanId(run.run_id)}-01`);
  });

  it("a root given none starts a trace of its own; a given trace's unsampled flag is kept", async () => {
    const a = await create({});
    const b = await create({});
    const [ta, tb] = await Promise.all([a, b].map(async (s) => (await api('GET', `/v1/sessions/${s.session_id}`)).body.trace_id as string));
    expect(ta).toMatch(/^[0-9a-f]{32}$/);
    expect(tb).not.toBe(ta);
    const unsampled = await create({ traceparent: `00-${TRACE}-00f067aa0ba902b7-00` });
    const child = await create({ parent_session_id: unsampled.session_id });
    expect((await t.coordinator.store.getSession(child.session_id))!.traceparent).toMatch(/-00$/);
  });
});
