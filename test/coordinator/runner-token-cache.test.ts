import { afterEach, describe, expect, it } from 'vitest';
import { type Api, apiClient, eventually, freshDatabase, registerRunner, startTestCoordinator, STORE_KINDS } from './helpers.js';
import { spawnCoordinator } from './spawn-coordinator.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const heartbeat = (api: Api, runner: { runner_id: string; token: string }) => api('POST', `/v1/runners/${runner.runner_id}/heartbeat`, { running: [] }, runner.token);

// A runner's token, once checked, is not read from the store again for a while (RunnerTokens): a
// deregistration must still end it at once.
describe.each(STORE_KINDS)('a checked runner token (%s)', (kind) => {
  it('is refused at once after its runner deregistered, on every runner route', async () => {
    const t = await startTestCoordinator(kind);
    cleanups.push(t.stop);
    const runner = await registerRunner(t.api);
    const other = await registerRunner(t.api);
    expect((await heartbeat(t.api, runner)).status).toBe(200);
    expect((await heartbeat(t.api, runner)).status).toBe(200);
    expect((await heartbeat(t.api, other)).status).toBe(200);
    expect((await t.api('DELETE', `/v1/runners/${runner.runner_id}`, undefined, runner.token)).status).toBe(204);
    expect(await heartbeat(t.api, runner)).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
    expect((await t.api('POST', `/v1/runners/${runner.runner_id}/next-run`, { timeout_ms: 0 }, runner.token)).status).toBe(401);
    expect((await t.api('POST', `/v1/runners/${runner.runner_id}/reports`, { reports: [] }, runner.token)).status).toBe(401);
    // A wrong secret under a checked runner's id is refused too; the other runner goes on.
    expect((await heartbeat(t.api, { runner_id: other.runner_id, token: `${other.runner_id}.nope` })).status).toBe(401);
    expect((await heartbeat(t.api, other)).status).toBe(200);
  });

  it("ends a deregistered runner's parked long-poll with 401 instead of leaving it to claim", async () => {
    const t = await startTestCoordinator(kind);
    cleanups.push(t.stop);
    const runner = await registerRunner(t.api);
    const poll = t.api('POST', `/v1/runners/${runner.runner_id}/next-run`, { timeout_ms: 300_000 }, runner.token);
    await eventually(async () => ((await t.api('GET', '/metrics')).body as string).includes('agent_coordinator_polls_waiting 1'));
    expect((await t.api('DELETE', `/v1/runners/${runner.runner_id}`, undefined, runner.token)).status).toBe(204);
    expect((await poll).status).toBe(401);
  });
});

describe('a checked runner token on two replicas (postgres)', () => {
  it('is refused by the other replica once it hears of the deregistration, well within the token TTL', async () => {
    const db = await freshDatabase('postgres');
    cleanups.push(db.drop);
    const args = ['--database-url', db.databaseUrl, '--database-schema', db.databaseSchema!, '--sweep-interval', '1h'];
    const pair = await Promise.all([spawnCoordinator(args), spawnCoordinator(args)]);
    for (const p of pair) cleanups.push(() => p.stop());
    const [a, b] = pair.map((p) => apiClient(p.url)) as [Api, Api];
    for (const api of [a, b]) await eventually(async () => ((await api('GET', '/metrics')).body as string).includes('agent_coordinator_replica_peers 1'));
    const runner = await registerRunner(a);
    expect((await heartbeat(b, runner)).status).toBe(200); // B keeps the checked token
    expect((await a('DELETE', `/v1/runners/${runner.runner_id}`, undefined, runner.token)).status).toBe(204);
    expect((await heartbeat(a, runner)).status).toBe(401);
    const started = Date.now();
    await eventually(async () => (await heartbeat(b, runner)).status === 401);
    expect(Date.now() - started).toBeLessThan(30_000); // RUNNER_TOKEN_TTL_MS is 60 s: only the NOTIFY ended it this soon
  });
});
