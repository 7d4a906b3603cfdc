import { afterEach, describe, expect, it } from 'vitest';
import { stopSessionTree } from '../../coordinator/store/ops/stop-session-tree.js';
import { pollRun, registerRunner, startTestCoordinator, STORE_KINDS } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe.each(STORE_KINDS)('stopping a session tree over HTTP (%s)', (kind) => {
  const start = async () => {
    const t = await startTestCoordinator(kind);
    cleanups.push(t.stop);
    const create = async (body: Record<string, unknown>) => (await t.api('POST', '/v1/sessions', { prompt: 'x', ...body })).body as { session_id: string; run_id: string };
    return { ...t, create };
  };

  it('cascades by default: a held descendant is asked of its runner, a queued one cancelled, an ended one left alone', async () => {
    const { api, create } = await start();
    const runner = await registerRunner(api, ['held']);
    const parent = await create({ executor: 'nobody' });
    const child = await create({ executor: 'held', parent_session_id: parent.session_id });
    expect((await pollRun(api, runner)).run).toMatchObject({ run_id: child.run_id });
    const grandchild = await create({ executor: 'nobody', parent_session_id: child.session_id });
    const sibling = await create({ executor: 'nobody', parent_session_id: parent.session_id });
    await api('POST', `/v1/sessions/${sibling.session_id}/stop`, { cascade: false });
    const stranger = await create({ executor: 'nobody' });

    const stopped = await api('POST', `/v1/sessions/${parent.session_id}/stop`);
    expect(stopped).toMatchObject({ status: 200, body: { session_id: parent.session_id, status: 'cancelled', more_descendants: false } });
    expect(stopped.body.descendants).toEqual([
      { session_id: child.session_id, run_id: child.run_id, run_status: 'claimed', stop_requested: true },
      { session_id: grandchild.session_id, run_id: grandchild.run_id, run_status: 'cancelled', stop_requested: false },
    ]);
    expect((await api('POST', `/v1/runners/${runner.runner_id}/heartbeat`, { running: [child.run_id] }, runner.token)).body.stop).toEqual([child.run_id]);
    expect((await api('GET', `/v1/sessions/${stranger.session_id}`)).body.status).toBe('queued');
    // Stopping again reaches nothing new: the held child was already asked.
    expect((await api('POST', `/v1/sessions/${parent.session_id}/stop`, {})).body.descendants).toEqual([]);
  });

  it('stops the session alone with cascade: false, and refuses a cascade that is not a boolean, naming it', async () => {
    const { api, create } = await start();
    const parent = await create({ executor: 'nobody' });
    const child = await create({ executor: 'nobody', parent_session_id: parent.session_id });
    const bad = await api('POST', `/v1/sessions/${parent.session_id}/stop`, { cascade: 'no' });
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'invalid_request', details: { issues: [{ path: 'cascade' }] } } } });
    const alone = await api('POST', `/v1/sessions/${parent.session_id}/stop`, { cascade: false });
    expect(alone.body).toMatchObject({ status: 'cancelled', descendants: [], more_descendants: false });
    expect((await api('GET', `/v1/sessions/${child.session_id}`)).body.status).toBe('queued');
  });

  it('stops at most the given number of descendants per transaction, parents first, and says when more are left', async () => {
    const { api, create, coordinator } = await start();
    const root = await create({ executor: 'nobody' });
    const kids = [];
    for (let i = 0; i < 3; i++) kids.push(await create({ executor: 'nobody', parent_session_id: root.session_id }));
    const deep = await create({ executor: 'nobody', parent_session_id: kids[0]!.session_id });
    const first = await stopSessionTree(coordinator.store.sql, root.session_id, Date.now(), true, 2);
    expect(first.descendants.map((d) => d.run.session_id)).toEqual([kids[0]!.session_id, kids[1]!.session_id]);
    expect(first.moreDescendants).toBe(true);
    const second = await stopSessionTree(coordinator.store.sql, root.session_id, Date.now(), true, 2);
    expect(second.descendants.map((d) => d.run.session_id)).toEqual([kids[2]!.session_id, deep.session_id]);
    expect(second.moreDescendants).toBe(false);
    for (const s of [root, ...kids, deep]) expect((await api('GET', `/v1/sessions/${s.session_id}`)).body.status).toBe('cancelled');
  });
});
