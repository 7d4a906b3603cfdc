import { afterEach, describe, expect, it } from 'vitest';
import { pollRun, registerRunner, startTestCoordinator, STORE_KINDS } from './helpers.js';

const RUNNERS = 8;
const RUNS = 1_000;
// Big work (a thousand creates and claims, each a write): well under 30 s on a quiet machine, and it
// takes about two minutes on a busy one. The test waits on those claims, so a large budget costs nothing.
const BUDGET_MS = 300_000;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe.each(STORE_KINDS)('concurrent claims (%s)', (kind) => {
  it(`${RUNNERS} runners long-polling while ${RUNS} runs are created: each run is claimed exactly once`, async () => {
    // These runners only poll (a real one heartbeats while it holds runs): a lease longer than the test keeps
    // a loaded machine's slow test from expiring one and handing its runs out again, which is not what this
    // test is about (test/coordinator/leases.test.ts is).
    const t = await startTestCoordinator(kind, { timings: { leaseMs: BUDGET_MS * 2 } });
    cleanups.push(t.stop);
    const { api } = t;
    const runners = await Promise.all(Array.from({ length: RUNNERS }, () => registerRunner(api, ['load'])));
    const claims: string[] = [];
    let done = false;
    cleanups.push(async () => {
      done = true; // a failed test must not leave pollers running against a stopped coordinator
    });
    const loops = runners.map(async (runner) => {
      while (!done) {
        const { run } = await pollRun(api, runner, 500).catch((error: unknown) => {
          if (done) return { run: null };
          throw error;
        });
        if (run !== null) {
          claims.push(run.run_id);
          if (claims.length >= RUNS) done = true;
        }
      }
    });
    const created: string[] = [];
    const creators = Array.from({ length: 10 }, async () => {
      while (created.length < RUNS) {
        created.push('pending');
        const res = await api('POST', '/v1/sessions', { executor: 'load', prompt: 'x' });
        expect(res.status).toBe(201);
        created[created.indexOf('pending')] = res.body.run_id;
      }
    });
    await Promise.all(creators);
    await Promise.all(loops);
    expect(created).toHaveLength(RUNS);
    expect(claims).toHaveLength(RUNS);
    expect(new Set(claims).size).toBe(RUNS);
    expect([...claims].sort()).toEqual([...created].sort());
    const metrics = (await api('GET', '/metrics')).body as string;
    expect(metrics).toContain(`agent_coordinator_runs{state="claimed"} ${RUNS}`);
    expect(metrics).toContain('agent_coordinator_queue_depth 0');
  }, BUDGET_MS);
});
