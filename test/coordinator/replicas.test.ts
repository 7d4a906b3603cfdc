import { afterEach, describe, expect, it } from 'vitest';
import { apiClient, eventually, freshDatabase, pollRun, registerRunner } from './helpers.js';
import { type SpawnedCoordinator, spawnCoordinator } from './spawn-coordinator.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe('two coordinator processes on one PostgreSQL database', () => {
  const startPair = async (extra: string[] = []): Promise<[SpawnedCoordinator, SpawnedCoordinator]> => {
    const db = await freshDatabase('postgres');
    cleanups.push(db.drop);
    const args = ['--database-url', db.databaseUrl, '--database-schema', db.databaseSchema!];
    // Started together: migrations take turns under an advisory lock.
    const pair = await Promise.all([spawnCoordinator([...args, ...extra]), spawnCoordinator([...args, ...extra])]);
    for (const p of pair) cleanups.push(() => p.stop());
    return pair;
  };

  it('a long-poll held on one wakes when a run is created on the other (LISTEN/NOTIFY)', async () => {
    // No sweep that could wake the poll, and a poll timeout far beyond the test's: only NOTIFY can answer it in time.
    const [a, b] = await startPair(['--sweep-interval', '1h']);
    const apiA = apiClient(a.url);
    const apiB = apiClient(b.url);
    const runner = await registerRunner(apiA, ['pg']);
    const poll = pollRun(apiA, runner, 300_000);
    await eventually(async () => ((await apiA('GET', '/metrics')).body as string).includes('agent_coordinator_polls_waiting 1'));
    const { run_id } = (await apiB('POST', '/v1/sessions', { executor: 'pg', prompt: 'x' })).body;
    const got = await poll;
    expect(got.run.run_id).toBe(run_id);
  });

  it('replicas find each other on the channel (each reports the other as a peer); a lone coordinator has none', async () => {
    const [a, b] = await startPair(['--sweep-interval', '1h']);
    for (const c of [a, b]) {
      await eventually(async () => ((await apiClient(c.url)('GET', '/metrics')).body as string).includes('agent_coordinator_replica_peers 1'));
    }
    // Another deployment in another schema of the same database is on another channel: not a peer.
    const other = await freshDatabase('postgres');
    cleanups.push(other.drop);
    const lone = await spawnCoordinator(['--database-url', other.databaseUrl, '--database-schema', other.databaseSchema!]);
    cleanups.push(() => lone.stop());
    const metrics = (await apiClient(lone.url)('GET', '/metrics')).body as string;
    expect(metrics).toContain('agent_coordinator_replica_peers 0');
    for (const c of [a, b]) expect((await apiClient(c.url)('GET', '/metrics')).body as string).toContain('agent_coordinator_replica_peers 1');
  });

  it('an SSE stream on one replica receives events appended through the other', async () => {
    const [a, b] = await startPair(['--sweep-interval', '1h', '--sse-keepalive', '1h']);
    const apiB = apiClient(b.url);
    const runner = await registerRunner(apiB, ['pg']);
    const { session_id } = (await apiB('POST', '/v1/sessions', { executor: 'pg', prompt: 'x' })).body;
    const { run } = await pollRun(apiB, runner);
    const res = await fetch(`${a.url}/v1/sessions/${session_id}/events`, { headers: { accept: 'text/event-stream' } });
    const reader = res.body!.getReader();
    cleanups.push(async () => void (await reader.cancel().catch(() => {})));
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes(': connected')) text += decoder.decode((await reader.read()).value, { stream: true });
    const events = [1, 2, 3].map((seq) => ({ seq, event: { type: 'log', message: `m${seq}` } }));
    expect((await apiB('POST', `/v1/runs/${run.run_id}/events`, { events }, runner.token)).body.accepted).toBe(3);
    // 1 and 2 are the run's status events (queued on B, claimed through B); 3 to 5 the runner's.
    while (!text.includes('id: 5')) text += decoder.decode((await reader.read()).value, { stream: true });
    expect([...text.matchAll(/^id: (\d+)$/gm)].map((m) => m[1])).toEqual(['1', '2', '3', '4', '5']);
  });

  it('claims exactly once across both processes', async () => {
    const [a, b] = await startPair();
    const apis = [apiClient(a.url), apiClient(b.url)];
    const runners = await Promise.all(Array.from({ length: 6 }, (_, i) => registerRunner(apis[i % 2]!, ['pg'])));
    const total = 300;
    const claims: string[] = [];
    let done = false;
    cleanups.push(async () => {
      done = true; // a failed test must not leave pollers running against stopped coordinators
    });
    const loops = runners.map(async (runner, i) => {
      while (!done) {
        const { run } = await pollRun(apis[i % 2]!, runner, 500).catch((error: unknown) => {
          if (done) return { run: null };
          throw error;
        });
        if (run !== null && claims.push(run.run_id) >= total) done = true;
      }
    });
    const created: string[] = [];
    await Promise.all(
      Array.from({ length: 6 }, async (_, w) => {
        for (let i = w; i < total; i += 6) created.push((await apis[i % 2]!('POST', '/v1/sessions', { executor: 'pg', prompt: `${i}` })).body.run_id);
      }),
    );
    await Promise.all(loops);
    expect(claims).toHaveLength(total);
    expect(new Set(claims).size).toBe(total);
    expect([...claims].sort()).toEqual([...created].sort());
  });
});
