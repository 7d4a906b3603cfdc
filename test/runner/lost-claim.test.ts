import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Api, eventually, registerRunner, startTestCoordinator, STORE_KINDS } from '../coordinator/helpers.js';
import { startRecordingProxy } from './recording-proxy.js';
import { allEvents, createSession, useRunnerKit, waitForSession } from './runner-kit.js';

/** Heartbeats every 2 s: a claim is released once older than that plus the 1 s grace. */
const TIMINGS = { leaseMs: 60_000, heartbeatIntervalMs: 2_000, sweepIntervalMs: 50 };

/** A long-poll whose answer this test reads, or drops as a proxy reset would (the claim is committed either way). */
async function poll(api: Api, runner: { runner_id: string; token: string }, body: Record<string, unknown>) {
  const res = await api('POST', `/v1/runners/${runner.runner_id}/next-run`, { timeout_ms: 5_000, ...body }, runner.token);
  if (res.status !== 200) throw new Error(`poll failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { runs: Array<{ run: { run_id: string; attempt: number } }> };
}

describe.each(STORE_KINDS)('a claim whose answer is lost comes back (%s)', (kind) => {
  const kit = useRunnerKit();
  let stopCoordinator: (() => Promise<void>) | undefined;
  let closeProxy: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await closeProxy?.();
    await stopCoordinator?.();
    closeProxy = stopCoordinator = undefined;
  });

  it('a runner whose long-poll answer was cut after the claim retries it with the same request id and runs the run once', { timeout: 60_000 }, async () => {
    const t = await startTestCoordinator(kind, { timings: TIMINGS });
    stopCoordinator = t.stop;
    const proxy = await startRecordingProxy(t.url);
    closeProxy = proxy.close;
    const dropped = proxy.dropNextAnswer((req) => req.path.endsWith('/next-run'), (body) => body.includes('"run_id"'));
    await kit().daemon(['-c', proxy.url, '-x', 'ticker']);
    const { session_id, run_id } = await createSession(t.api, { executor: 'ticker', prompt: 'x' });

    await dropped;
    expect(await waitForSession(t.api, session_id, ['idle', 'failed', 'cancelled'])).toMatchObject({ status: 'idle' });
    expect((await t.api('GET', `/v1/runs/${run_id}`)).body).toMatchObject({ status: 'succeeded', attempt: 1 });
    const statuses = (await allEvents(t.api, session_id)).filter((e) => e.type === 'run_status').map((e) => e.event.status);
    expect(statuses).toEqual(['queued', 'claimed', 'running', 'succeeded']);
    expect(kit().executorPids()).toHaveLength(1);
  });

  it('a claim taken back while its answer was on its way, then given to the same runner again, is not started twice', { timeout: 60_000 }, async () => {
    // Heartbeats 3 s apart: the run is taken back at one, and the runner claims it again long before the next
    // (which, seeing the run queued in between, would tell the runner to stop it).
    const t = await startTestCoordinator(kind, { timings: { ...TIMINGS, heartbeatIntervalMs: 3_000 } });
    stopCoordinator = t.stop;
    const proxy = await startRecordingProxy(t.url);
    closeProxy = proxy.close;
    // The first answer carrying the run reaches the runner only once its claim was taken back (an overloaded coordinator).
    const late = proxy.holdNextAnswer((req) => req.path.endsWith('/next-run'), (body) => body.includes('"run_id"'));
    const go = join(kit().dir, 'go');
    const runner = await kit().daemon(['-c', proxy.url, '-x', 'ticker'], { GO_FILE: go });
    const { session_id, run_id } = await createSession(t.api, { executor: 'ticker', prompt: 'x' });

    await late.held;
    // Its heartbeats do not list the run (the runner has not seen it): once the claim is older than a heartbeat interval plus the grace, it goes back to the queue.
    await eventually(async () => (await t.api('GET', `/v1/runs/${run_id}`)).body.status === 'queued', 20_000);
    late.release();
    // The runner starts it, claims it again with its next poll (the same attempt), and must not start it a second time.
    const starts = () => runner.logs.filter((l) => l.msg === 'starting executor' && l.run === run_id).length;
    await runner.waitForLog((l) => (l.msg === 'starting executor' && starts() === 2) || (l.run === run_id && /already holds/.test(l.msg ?? '')), 'the run given again');
    writeFileSync(go, '');

    expect(await waitForSession(t.api, session_id, ['idle', 'failed', 'cancelled'])).toMatchObject({ status: 'idle' });
    expect((await t.api('GET', `/v1/runs/${run_id}`)).body).toMatchObject({ status: 'succeeded', attempt: 1 });
    expect(starts()).toBe(1);
    expect(kit().executorPids()).toHaveLength(1);
    expect(runner.logs.filter((l) => (l.level as number) >= 50 && /seq must increase/.test(String(l.err)))).toEqual([]);
  });

  it('a repeated long-poll gets the same claim; the heartbeat releases the run, which then runs once', { timeout: 60_000 }, async () => {
    const t = await startTestCoordinator(kind, { timings: TIMINGS });
    stopCoordinator = t.stop;
    const { api, url } = t;
    const lossy = await registerRunner(api, ['ticker']);
    const { session_id, run_id } = await createSession(api, { executor: 'ticker', prompt: 'x' });

    // The answer to this poll never reaches the runner; its retry (same request id) gets the same claim.
    await poll(api, lossy, { request_id: 'poll-1' });
    const retried = await poll(api, lossy, { request_id: 'poll-1' });
    expect(retried.runs.map((a) => a.run)).toMatchObject([{ run_id, attempt: 1 }]);
    expect((await poll(api, lossy, { request_id: 'poll-2', timeout_ms: 0 })).runs).toEqual([]);

    // The runner does not know the run. A claim this young may still be on its way: it stays.
    const heartbeat = () => api('POST', `/v1/runners/${lossy.runner_id}/heartbeat`, { running: [] }, lossy.token);
    expect((await heartbeat()).status).toBe(200);
    expect((await api('GET', `/v1/runs/${run_id}`)).body.status).toBe('claimed');
    // Older than a heartbeat interval plus the grace, it is released: queued again, no attempt charged.
    const released = await eventually(async () => {
      await heartbeat();
      const run = (await api('GET', `/v1/runs/${run_id}`)).body;
      return run.status === 'queued' ? run : null;
    }, 20_000);
    expect(released).toMatchObject({ attempt: 1, runner_id: null });

    // A runner that gets its answers runs it, once.
    await kit().daemon(['-c', url, '-x', 'ticker']);
    expect(await waitForSession(api, session_id, ['idle', 'failed', 'cancelled'])).toMatchObject({ status: 'idle' });
    expect((await api('GET', `/v1/runs/${run_id}`)).body).toMatchObject({ status: 'succeeded', attempt: 1 });
    const statuses = (await allEvents(api, session_id)).filter((e) => e.type === 'run_status').map((e) => e.event.status);
    expect(statuses).toEqual(['queued', 'claimed', 'queued', 'claimed', 'running', 'succeeded']);
    expect(kit().executorPids()).toHaveLength(1);
  });
});
