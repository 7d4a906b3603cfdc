// GET /v1/sessions/:id/tree and the tree event stream (GET /v1/sessions/:id/events?tree=true), over real
// HTTP on both stores; runs move through the runner API as a runner would move them.
import { afterEach, describe, expect, it } from 'vitest';
import { pollRun, registerRunner, startTestCoordinator, STORE_KINDS } from './helpers.js';
import { sseReader } from './sse-frames.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe.each(STORE_KINDS)('the session tree over HTTP (%s)', (kind) => {
  const start = async () => {
    const t = await startTestCoordinator(kind, { timings: { sseKeepAliveMs: 60_000 } });
    cleanups.push(t.stop);
    const create = async (body: Record<string, unknown>) => {
      const res = await t.api('POST', '/v1/sessions', { prompt: 'x', ...body });
      expect(res.status).toBe(201);
      return res.body as { session_id: string; run_id: string };
    };
    return { ...t, create };
  };

  it('returns the tree nested, breadth first, with counts, and says whether it is quiet', async () => {
    const { api, create } = await start();
    const runner = await registerRunner(api, ['test']);
    const root = await create({ executor: 'test', agent: undefined });
    const a = await create({ executor: 'nobody', parent_session_id: root.session_id });
    const b = await create({ executor: 'nobody', parent_session_id: root.session_id });
    const a1 = await create({ executor: 'nobody', parent_session_id: a.session_id });
    // The root's run: claimed, started and finished by the runner.
    expect((await pollRun(api, runner)).run.run_id).toBe(root.run_id);
    const done = await api('POST', `/v1/runners/${runner.runner_id}/reports`, { reports: [{ run_id: root.run_id, started: {}, finished: { kind: 'succeeded', message: 'ok' } }] }, runner.token);
    expect(done.status).toBe(200);

    const tree = await api('GET', `/v1/sessions/${root.session_id}/tree`);
    expect(tree.status).toBe(200);
    expect(tree.body).toMatchObject({ root_session_id: root.session_id, nodes: 4, truncated: false, in_flight: 3, callbacks_waiting: 0, quiet: false });
    const top = tree.body.root;
    expect(top).toMatchObject({ session_id: root.session_id, depth: 0, status: 'idle', runner_id: runner.runner_id, runs: 1, attempts: 1, children_count: 2, descendants_count: 3, children_omitted: 0 });
    expect(top.duration_ms).toBeGreaterThanOrEqual(0);
    expect(top.started_at).not.toBeNull();
    expect(top.children.map((n: any) => n.session_id)).toEqual([a.session_id, b.session_id]);
    expect(top.children[0]).toMatchObject({ depth: 1, status: 'queued', started_at: null, duration_ms: null, children_count: 1 });
    expect(top.children[0].children.map((n: any) => [n.session_id, n.depth])).toEqual([[a1.session_id, 2]]);
    expect(top.totals).toEqual({ input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0, cost_usd: 0 });

    // A subtree, depth-limited and node-limited.
    const sub = await api('GET', `/v1/sessions/${a.session_id}/tree`);
    expect(sub.body).toMatchObject({ root_session_id: root.session_id, nodes: 2, in_flight: 2, root: { session_id: a.session_id, depth: 1 } });
    const shallow = await api('GET', `/v1/sessions/${root.session_id}/tree?depth=1`);
    expect(shallow.body).toMatchObject({ nodes: 3, truncated: true, in_flight: 3 });
    expect(shallow.body.root.children[0]).toMatchObject({ children: [], children_count: 1, children_omitted: 1 });
    const few = await api('GET', `/v1/sessions/${root.session_id}/tree?limit=2`);
    expect(few.body).toMatchObject({ nodes: 2, truncated: true });
    expect(few.body.root.children.map((n: any) => n.session_id)).toEqual([a.session_id]);
    expect(few.body.root.children_omitted).toBe(1);

    // The tree's sessions as a list (newest first); another tree's are not in it.
    const other = await create({ executor: 'nobody' });
    const listed = await api('GET', `/v1/sessions?root=${root.session_id}`);
    expect(listed.body.sessions.map((s: any) => s.session_id)).toEqual([a1.session_id, b.session_id, a.session_id, root.session_id]);
    expect((await api('GET', `/v1/sessions?root=${other.session_id}`)).body.sessions.map((s: any) => s.session_id)).toEqual([other.session_id]);
    expect((await api('GET', '/v1/sessions?root=')).body.error.details.issues[0].path).toBe('root');
    // Everything stopped: quiet.
    await api('POST', `/v1/sessions/${root.session_id}/stop`, {});
    expect((await api('GET', `/v1/sessions/${root.session_id}/tree`)).body).toMatchObject({ in_flight: 0, quiet: true });
  });

  it('refuses malformed tree queries naming the field, and answers 404 for an unknown session', async () => {
    const { api, create } = await start();
    const root = await create({ executor: 'nobody' });
    for (const [query, path] of [['depth=-1', 'depth'], ['depth=abc', 'depth'], ['depth=1.5', 'depth'], ['limit=0', 'limit'], ['limit=10001', 'limit'], ['deep=1', ''], ['depth=1e999', 'depth']] as const) {
      const res = await api('GET', `/v1/sessions/${root.session_id}/tree?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
      if (path !== '') expect(res.body.error.details.issues[0].path, query).toBe(path);
    }
    expect((await api('GET', '/v1/sessions/ses_nope/tree')).status).toBe(404);
    expect((await api('GET', `/v1/sessions/${encodeURIComponent('ses_%"x')}/tree`)).status).toBe(404);
    const json = await api('GET', `/v1/sessions/${root.session_id}/events?tree=true`);
    expect(json).toMatchObject({ status: 400, body: { error: { details: { issues: [{ path: 'tree' }] } } } });
    expect((await api('GET', `/v1/sessions/${root.session_id}/events?tree=yes`)).body.error.details.issues[0].path).toBe('tree');
  });

  it('streams every event of the tree once, tagged with depth, taking in sessions created while it is open', async () => {
    const { api, url, create } = await start();
    const root = await create({ executor: 'nobody' });
    const child = await create({ executor: 'nobody', parent_session_id: root.session_id });
    const controller = new AbortController();
    cleanups.push(() => controller.abort());
    const res = await fetch(`${url}/v1/sessions/${root.session_id}/events?tree=true`, { headers: { accept: 'text/event-stream' }, signal: controller.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const sse = sseReader(res);
    const first = await sse.events(2);
    expect(first.map((e) => [e.session_id, e.depth, e.type, e.event.status])).toEqual([
      [root.session_id, 0, 'run_status', 'queued'],
      [child.session_id, 1, 'run_status', 'queued'],
    ]);
    expect(first[1].parent_session_id).toBe(root.session_id);
    // A grandchild created now, then the child stopped: both reach the open stream.
    const grandchild = await create({ executor: 'nobody', parent_session_id: child.session_id, agent: undefined });
    const [g] = await sse.events(1);
    expect([g.session_id, g.depth, g.event.status]).toEqual([grandchild.session_id, 2, 'queued']);
    await api('POST', `/v1/sessions/${child.session_id}/stop`, { cascade: false });
    const [stopped] = await sse.events(1);
    expect([stopped.session_id, stopped.event.status]).toEqual([child.session_id, 'cancelled']);
    // A stream of the child's subtree starts from its own events, depths relative to it, in the order they
    // were stored; the root is not in it.
    const subRes = await fetch(`${url}/v1/sessions/${child.session_id}/events?tree=true`, { headers: { accept: 'text/event-stream' }, signal: controller.signal });
    const sub = await sseReader(subRes).events(3);
    expect(sub.map((e) => [e.session_id, e.depth, e.event.status])).toEqual([
      [child.session_id, 0, 'queued'],
      [grandchild.session_id, 1, 'queued'],
      [child.session_id, 0, 'cancelled'],
    ]);
    void sse.cancel();
  });
});
