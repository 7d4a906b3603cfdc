import { afterEach, describe, expect, it } from 'vitest';
import { WAIT_MS } from '../helpers/fixtures.js';
import { eventually, pollRun, registerRunner, startTestCoordinator, STORE_KINDS } from './helpers.js';

// Long enough that a busy machine cannot make a heartbeating runner miss it (the runner that must lose its
// run sends none at all); a silent runner turns `offline` only after ten of them, far past these tests.
const LEASE_MS = 2_000;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe.each(STORE_KINDS)('leases, retries and placement over HTTP (%s)', (kind) => {
  const start = async (timings: object) => {
    const t = await startTestCoordinator(kind, { timings: { leaseMs: LEASE_MS, sweepIntervalMs: 20, backoffBaseMs: 20, backoffMaxMs: 100, ...timings } });
    cleanups.push(t.stop);
    return t;
  };

  it('a silent runner loses its run after the lease; it is re-queued, then failed when attempts run out', async () => {
    const { api } = await start({ maxAttempts: 2 });
    const silent = await registerRunner(api, ['lease']);
    const { session_id } = (await api('POST', '/v1/sessions', { executor: 'lease', prompt: 'x' })).body;
    const first = await pollRun(api, silent);
    expect(first.run.attempt).toBe(1);
    // A second runner long-polls; it gets the run once the first one's lease lapses and the backoff ends.
    const other = await registerRunner(api, ['lease']);
    const second = await pollRun(api, other, WAIT_MS);
    expect(second.run).toMatchObject({ run_id: first.run.run_id, attempt: 2 });
    expect(second.invocation.metadata.attempt).toBe(2);
    const failed = await eventually(async () => {
      const run = (await api('GET', `/v1/runs/${first.run.run_id}`)).body;
      return run.status === 'failed' ? run : null;
    });
    expect(failed.error).toMatch(/stopped heartbeating.*no attempts left/);
    expect((await api('GET', `/v1/sessions/${session_id}`)).body.status).toBe('failed');
    const runners = (await api('GET', '/v1/runners')).body.runners;
    expect(runners.find((r: any) => r.runner_id === silent.runner_id).status).toBe('stale');
  });

  it('an infra failure (exit 75) is retried on another runner; a heartbeating runner keeps its run', async () => {
    const { api } = await start({ maxAttempts: 3 });
    const failing = await registerRunner(api, ['infra']);
    await api('POST', '/v1/sessions', { executor: 'infra', prompt: 'x' });
    const first = await pollRun(api, failing);
    const runner = await registerRunner(api, ['infra']);
    await api('POST', `/v1/runs/${first.run.run_id}/started`, {}, failing.token);
    const finished = await api('POST', `/v1/runs/${first.run.run_id}/finished`, { kind: 'infra_failed', message: 'exit 75', exit_code: 75 }, failing.token);
    expect(finished.body).toMatchObject({ status: 'queued', attempt: 2, excluded_runners: [failing.runner_id] });
    const again = await pollRun(api, runner, WAIT_MS);
    expect(again.run).toMatchObject({ run_id: first.run.run_id, attempt: 2 });
    const heartbeat = async () =>
      expect((await api('POST', `/v1/runners/${runner.runner_id}/heartbeat`, { running: [again.run.run_id] }, runner.token)).body.stop).toEqual([]);
    await heartbeat();
    await api('POST', `/v1/runs/${again.run.run_id}/started`, {}, runner.token);
    // Heartbeat across more than a lease: the run stays with this runner. A silent runner claiming a run
    // now marks the time: once the sweeper took its run back, more than a lease has passed.
    const silent = await registerRunner(api, ['clock']);
    await api('POST', '/v1/sessions', { executor: 'clock', prompt: 'x' });
    const clock = (await pollRun(api, silent)).run.run_id;
    while ((await api('GET', `/v1/runs/${clock}`)).body.status === 'claimed') {
      await heartbeat();
      await pollRun(api, runner, 100);
    }
    expect((await api('GET', `/v1/runs/${again.run.run_id}`)).body.status).toBe('running');
  });

  it('a run no runner can serve fails after the placement timeout, saying what it asked for', async () => {
    const { api } = await start({ placementTimeoutMs: 100 });
    await registerRunner(api, ['cpu']);
    const { run_id } = (await api('POST', '/v1/sessions', { executor: 'gpu-exec', tags: ['gpu'], prompt: 'x' })).body;
    const run = await eventually(async () => {
      const r = (await api('GET', `/v1/runs/${run_id}`)).body;
      return r.status === 'failed' ? r : null;
    });
    expect(run.error).toContain('executor "gpu-exec" with tags [gpu]');
  });
});
