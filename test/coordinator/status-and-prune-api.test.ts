import { afterEach, describe, expect, it } from 'vitest';
import { packageVersion } from '../../lib/package-root.js';
import { RunnerListSchema } from '../../protocol/runners.js';
import { SessionDeletedSchema, SessionsPrunedSchema } from '../../protocol/sessions.js';
import { SystemStatusSchema } from '../../protocol/status.js';
import { apiClient, type Api, pollRun, startTestCoordinator, STORE_KINDS } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function coordinator(kind: (typeof STORE_KINDS)[number], options: { apiToken?: string } = {}) {
  const t = await startTestCoordinator(kind, options);
  cleanups.push(t.stop);
  return t;
}

/** Register a runner with `capacity` slots. */
async function register(api: Api, executors: string[], capacity: number) {
  const res = await api('POST', '/v1/runners', { executors, capacity, name: `r-${executors[0]}` });
  expect(res.status).toBe(201);
  return res.body as { runner_id: string; token: string };
}

/** The error answer's message, checked to be a 400 that names `field`. */
function refused(res: { status: number; body: any }, field: string): string {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status: 400, code: expect.stringMatching(/^invalid_/) });
  expect(res.body.error.message).toContain(field);
  return res.body.error.message;
}

// GET /v1/status, the runners' slots, DELETE /v1/sessions/:id and POST /v1/sessions/prune over real HTTP, on both stores.
describe.each(STORE_KINDS)('status, runners, delete and prune over HTTP (%s)', (kind) => {
  it('GET /v1/status: the coordinator, the fleet with its slots, runs in flight, the queue, the last hour, sessions', async () => {
    const { api } = await coordinator(kind);
    const empty = SystemStatusSchema.parse((await api('GET', '/v1/status')).body);
    expect(empty).toMatchObject({
      coordinator: { version: packageVersion(), store: kind },
      runners: { online: 0, stale: 0, offline: 0, slots_used: 0, slots_total: 0 },
      runs: { queued: 0, claimed: 0, running: 0, lost: 0 },
      queue: { depth: 0, oldest_queued_at: null, age_s: null },
      last_hour: { succeeded: 0, failed: 0, cancelled: 0, timed_out: 0, success_rate: null },
      sessions: { queued: 0, running: 0 },
    });
    expect(empty.coordinator.uptime_s).toBeGreaterThanOrEqual(0);

    const runner = await register(api, ['work'], 4);
    const idle = await register(api, ['other'], 2);
    const waiting = (await api('POST', '/v1/sessions', { executor: 'nobody-serves-this', prompt: 'waits' })).body;
    const first = (await api('POST', '/v1/sessions', { executor: 'work', prompt: 'one' })).body;
    const second = (await api('POST', '/v1/sessions', { executor: 'work', prompt: 'two' })).body;
    await pollRun(api, runner);
    await pollRun(api, runner);
    expect((await api('POST', `/v1/runs/${first.run_id}/started`, {}, runner.token)).status).toBe(200);

    const busy = SystemStatusSchema.parse((await api('GET', '/v1/status')).body);
    expect(busy).toMatchObject({
      runners: { online: 2, stale: 0, offline: 0, slots_used: 2, slots_total: 6 },
      runs: { queued: 1, claimed: 1, running: 1, lost: 0 },
      queue: { depth: 1 },
      sessions: { queued: 2, running: 1 },
    });
    expect(busy.queue.oldest_queued_at).not.toBeNull();
    expect(busy.queue.age_s).toBeGreaterThanOrEqual(0);
    const runners = RunnerListSchema.parse((await api('GET', '/v1/runners')).body).runners;
    expect(runners.map((r) => [r.runner_id, r.slots_used, r.capacity])).toEqual([[runner.runner_id, 2, 4], [idle.runner_id, 0, 2]]);

    await api('POST', `/v1/runs/${first.run_id}/finished`, { kind: 'succeeded', message: 'ok' }, runner.token);
    await api('POST', `/v1/runs/${second.run_id}/finished`, { kind: 'failed', message: 'no' }, runner.token);
    await api('POST', `/v1/sessions/${waiting.session_id}/stop`);
    const after = SystemStatusSchema.parse((await api('GET', '/v1/status')).body);
    expect(after).toMatchObject({
      runners: { online: 2, slots_used: 0, slots_total: 6 },
      runs: { queued: 0, claimed: 0, running: 0 },
      queue: { depth: 0, oldest_queued_at: null, age_s: null },
      last_hour: { succeeded: 1, failed: 1, cancelled: 1, timed_out: 0 },
      sessions: { queued: 0, running: 0 },
    });
    expect(after.last_hour.success_rate).toBeCloseTo(1 / 3);
    await api('DELETE', `/v1/runners/${idle.runner_id}`, undefined, idle.token);
    expect((await api('GET', '/v1/status')).body.runners).toMatchObject({ online: 1, offline: 1, slots_total: 4 });
  });

  it('DELETE /v1/sessions/:id answers what it deleted, and a 409 naming the session in flight', async () => {
    const { api } = await coordinator(kind);
    const runner = await register(api, ['work'], 2);
    const parent = (await api('POST', '/v1/sessions', { executor: 'work', prompt: 'parent' })).body;
    await pollRun(api, runner);
    expect(await api('DELETE', `/v1/sessions/${parent.session_id}`)).toMatchObject({
      status: 409,
      body: { error: { code: 'conflict', message: expect.stringContaining('is queued; stop it'), details: { session: parent.session_id, status: 'queued' } } },
    });
    await api('POST', `/v1/runs/${parent.run_id}/finished`, { kind: 'succeeded', message: 'ok' }, runner.token);
    const child = (await api('POST', '/v1/sessions', { executor: 'parked', prompt: 'child', parent_session_id: parent.session_id })).body;
    const conflict = await api('DELETE', `/v1/sessions/${parent.session_id}`);
    expect(conflict).toMatchObject({ status: 409, body: { error: { details: { descendant: child.session_id, status: 'queued' } } } });
    expect(conflict.body.error.message).toContain(`sessions stop ${parent.session_id}`);
    await api('POST', `/v1/sessions/${parent.session_id}/stop`);
    const deleted = await api('DELETE', `/v1/sessions/${parent.session_id}`);
    expect(SessionDeletedSchema.parse(deleted.body)).toEqual({ session_id: parent.session_id, deleted: 2 });
    expect((await api('GET', `/v1/sessions/${child.session_id}`)).status).toBe(404);
    expect((await api('DELETE', `/v1/sessions/${parent.session_id}`)).status).toBe(404);
    expect((await api('DELETE', '/v1/sessions/%00')).status).toBe(400);
  });

  it('POST /v1/sessions/prune deletes ended sessions, batch by batch, and refuses bad bodies naming the field', async () => {
    const { api } = await coordinator(kind);
    const kept = (await api('POST', '/v1/sessions', { executor: 'parked', prompt: 'in flight' })).body;
    const ended: string[] = [];
    for (const prompt of ['a', 'b', 'c']) {
      const { session_id } = (await api('POST', '/v1/sessions', { executor: 'parked', prompt })).body;
      await api('POST', `/v1/sessions/${session_id}/stop`);
      ended.push(session_id);
    }
    // They ended just now: a week is too old for them.
    expect(await api('POST', '/v1/sessions/prune', { older_than_s: 604_800 })).toMatchObject({ status: 200, body: { deleted: 0, more: false } });
    expect(await api('POST', '/v1/sessions/prune', { older_than_s: 0, status: ['idle', 'failed'] })).toMatchObject({ body: { deleted: 0 } });
    const pruned = SessionsPrunedSchema.parse((await api('POST', '/v1/sessions/prune', { older_than_s: 0, status: ['cancelled'] })).body);
    expect(pruned).toEqual({ deleted: 3, more: false });
    for (const id of ended) expect((await api('GET', `/v1/sessions/${id}`)).status).toBe(404);
    expect((await api('GET', `/v1/sessions/${kept.session_id}`)).body.status).toBe('queued');

    const prune = (body: unknown) => api('POST', '/v1/sessions/prune', body);
    refused(await prune({}), 'older_than_s');
    for (const bad of [-1, 1.5, '7d', null, 1e20, true]) refused(await prune({ older_than_s: bad }), 'older_than_s');
    expect(refused(await prune({ older_than_s: 0, status: ['running'] }), 'status[0]')).toContain('prune deletes only ended sessions');
    refused(await prune({ older_than_s: 0, status: ['bogus'] }), 'status[0]');
    refused(await prune({ older_than_s: 0, status: [] }), 'status');
    refused(await prune({ older_than_s: 0, status: 'idle' }), 'status');
    refused(await prune({ older_than_s: 0, status: ['idle', 'idle', 'idle', 'idle'] }), 'status');
    refused(await prune({ older_than_s: 0, force: true }), 'force');
    refused(await prune({ older_than_s: 0, status: ['idle\u0000'] }), 'status');
    expect(await prune('{"older_than_s": 0')).toMatchObject({ status: 400, body: { error: { code: 'invalid_json' } } });
    expect(await prune([0])).toMatchObject({ status: 400 });
    expect((await api('GET', `/v1/sessions/${kept.session_id}`)).body.status).toBe('queued');
  });

  it('status, prune and delete need the API token when the coordinator has one', async () => {
    const t = await coordinator(kind, { apiToken: 'sekret' });
    const anonymous = apiClient(t.url);
    expect((await anonymous('GET', '/v1/status')).status).toBe(401);
    expect((await anonymous('POST', '/v1/sessions/prune', { older_than_s: 0 })).status).toBe(401);
    expect((await anonymous('DELETE', '/v1/sessions/ses_x')).status).toBe(401);
    expect((await apiClient(t.url, 'sekret')('GET', '/v1/status')).status).toBe(200);
  });
});
