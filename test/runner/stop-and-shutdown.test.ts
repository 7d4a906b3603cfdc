import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually } from '../coordinator/helpers.js';
import { isRunning } from '../helpers/fixtures.js';
import { allEvents, createSession, processesInGroup, processGroupOf, type RunnerKit, useRunnerKit, waitForEvent, waitForSession } from './runner-kit.js';

/** A coordinator, a runner with this drain timeout, and a slow-echo run it is executing. */
async function slowRunOnRunner(kit: RunnerKit, drainTimeout: string) {
  const { api, url } = await kit.coordinator();
  const daemon = await kit.daemon(['-c', url, '-x', 'slow-echo', '--drain-timeout', drainTimeout]);
  const { session_id, run_id } = await createSession(api, { executor: 'slow-echo', prompt: 'x' });
  await waitForEvent(api, session_id, (e) => e.type === 'progress');
  return { api, daemon, session_id, run_id };
}

describe('stopping runs and the runner', () => {
  const kit = useRunnerKit();

  it('`sessions stop` cancels the executor\'s whole process group (a SIGTERM-ignoring grandchild included)', async () => {
    const { api, url } = await kit().coordinator();
    const pidFile = join(kit().pidDir, 'grandchild');
    await kit().daemon(['-c', url, '-x', 'grandchild', '--grace', '300ms'], { PID_FILE: pidFile });
    const { session_id, run_id } = await createSession(api, { executor: 'grandchild', prompt: 'x' });
    await waitForEvent(api, session_id, (e) => e.type === 'progress');
    const grandchild = Number(readFileSync(pidFile, 'utf8').trim());
    const group = processGroupOf(grandchild);
    expect(processesInGroup(group).length).toBeGreaterThanOrEqual(2); // the executor and its grandchild

    const stop = await kit().cli(['sessions', 'stop', session_id, '-c', url]);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toContain(session_id);
    const session = await waitForSession(api, session_id, ['cancelled', 'failed', 'idle']);
    expect(session.status).toBe('cancelled');
    expect((await api('GET', `/v1/runs/${run_id}`)).body).toMatchObject({ status: 'cancelled', outcome: { kind: 'cancelled', forcefully_killed: true } });
    expect(isRunning(grandchild)).toBe(false);
    expect(processesInGroup(group)).toEqual([]);
  });

  it('--run-timeout cancels a run that takes too long (timed_out); a session\'s own timeout_s wins', async () => {
    const { api, url } = await kit().coordinator();
    await kit().daemon(['-c', url, '-x', 'slow-echo,ticker', '--run-timeout', '300ms', '--grace', '1s'], { GO_FILE: join(kit().dir, 'go') });
    const slow = await createSession(api, { executor: 'slow-echo', prompt: 'x' });
    expect(await waitForSession(api, slow.session_id, ['failed', 'idle', 'cancelled'])).toMatchObject({ status: 'failed' });
    expect((await api('GET', `/v1/runs/${slow.run_id}`)).body).toMatchObject({ status: 'timed_out', outcome: { kind: 'timed_out' } });

    // The session allows 30 s: the runner's 300 ms does not apply, so it ends when told to.
    const patient = await createSession(api, { executor: 'ticker', prompt: 'x', timeout_s: 30 });
    await waitForEvent(api, patient.session_id, (e) => e.type === 'progress' && e.event.message === 'tick 25');
    writeFileSync(join(kit().dir, 'go'), '');
    expect(await waitForSession(api, patient.session_id, ['failed', 'idle'])).toMatchObject({ status: 'idle' });
  });

  it('SIGTERM: stops claiming, lets the running executor finish, reports, deregisters, exits 0', async () => {
    const { api, url } = await kit().coordinator();
    const go = join(kit().dir, 'go');
    const daemon = await kit().daemon(['-c', url, '-x', 'ticker', '--drain-timeout', '30s'], { GO_FILE: go });
    const runnerId = (await daemon.waitForLog((l) => l.msg === 'registered with the coordinator', 'registration')).runner;
    const first = await createSession(api, { executor: 'ticker', prompt: 'x' });
    await waitForEvent(api, first.session_id, (e) => e.type === 'progress');

    daemon.child.kill('SIGTERM');
    await daemon.waitForLog((l) => l.signal === 'SIGTERM', 'the signal to be noticed');
    const second = await createSession(api, { executor: 'ticker', prompt: 'y' });
    writeFileSync(go, '');
    expect(await daemon.exited).toEqual({ code: 0, signal: null });

    expect((await api('GET', `/v1/sessions/${first.session_id}`)).body.status).toBe('idle');
    // Claimed by nobody: the draining runner did not take it.
    expect((await api('GET', `/v1/runs/${second.run_id}`)).body).toMatchObject({ status: 'queued', runner_id: null });
    const runners = (await api('GET', '/v1/runners')).body.runners as Array<{ runner_id: string; status: string }>;
    expect(runners.find((r) => r.runner_id === runnerId)?.status).toBe('offline');
  });

  it('SIGTERM: an executor still running at the drain timeout is cancelled and reported, then the runner exits 0', async () => {
    const { api, daemon, session_id, run_id } = await slowRunOnRunner(kit(), '300ms');

    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toEqual({ code: 0, signal: null });
    expect(daemon.stderr()).toContain('drain timeout (300 ms)');
    expect((await api('GET', `/v1/runs/${run_id}`)).body).toMatchObject({ status: 'cancelled', outcome: { kind: 'cancelled' } });
    // slow-echo says goodbye on SIGTERM: that last event was delivered before the outcome.
    const events = await allEvents(api, session_id);
    const goodbye = events.findIndex((e) => e.type === 'log' && e.event.message === 'got SIGTERM');
    expect(goodbye).toBeGreaterThan(0);
    expect(events.slice(goodbye + 1).map((e) => e.type)).toEqual(['run_status']);
    expect(events.at(-1)!.event.status).toBe('cancelled');
  });

  it('a second signal cancels the running executor at once', async () => {
    const { api, daemon, run_id } = await slowRunOnRunner(kit(), '10m');

    daemon.child.kill('SIGTERM');
    await daemon.waitForLog((l) => l.signal === 'SIGTERM', 'the first signal to be noticed');
    daemon.child.kill('SIGINT');
    await daemon.waitForLog((l) => l.signal === 'SIGINT', 'the second signal to be noticed');
    expect(await daemon.exited).toEqual({ code: 0, signal: null });
    expect(daemon.stderr()).toContain('second shutdown signal');
    await eventually(async () => (await api('GET', `/v1/runs/${run_id}`)).body.status === 'cancelled');
  });
});
