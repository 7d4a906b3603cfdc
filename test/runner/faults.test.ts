import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isRunning, WAIT_MS } from '../helpers/fixtures.js';
import { allEvents, createSession, freePort, useRunnerKit, waitForEvent, waitForSession } from './runner-kit.js';

// Short timings so a killed runner is noticed in a few seconds, while a live one (heartbeating ten times
// a lease) keeps its run however busy the machine is.
const FAST_LEASE = ['--lease', '3s', '--heartbeat-interval', '300ms', '--sweep-interval', '100ms', '--backoff-base', '50ms', '--backoff-max', '100ms'];

// Each test starts two or three processes and waits out a lease or an outage: under 10 s on a quiet
// machine, near 30 s on a busy one. The waits are on events, so the budget costs nothing.
describe('runner faults', { timeout: 120_000 }, () => {
  const kit = useRunnerKit();

  it('a runner killed with SIGKILL mid-run loses the run; it is re-queued and finished by a second runner', async () => {
    const { api, url } = await kit().coordinator({ args: FAST_LEASE });
    const go = join(kit().dir, 'go');
    // The first runner's executor waits for a file that never comes; the second's finds it at once.
    const first = await kit().daemon(['-c', url, '-x', 'ticker'], { GO_FILE: join(kit().dir, 'never') });
    writeFileSync(go, '');
    const { session_id, run_id } = await createSession(api, { executor: 'ticker', prompt: 'work' });
    await waitForEvent(api, session_id, (e) => e.type === 'progress');
    const firstRunner = (await api('GET', `/v1/runs/${run_id}`)).body.runner_id;

    first.child.kill('SIGKILL');
    await first.exited;
    const second = await kit().daemon(['-c', url, '-x', 'ticker'], { GO_FILE: go });
    const session = await waitForSession(api, session_id, ['idle', 'failed']);

    expect(session.status).toBe('idle');
    const run = (await api('GET', `/v1/runs/${run_id}`)).body;
    expect(run).toMatchObject({ status: 'succeeded', attempt: 2 });
    expect(run.runner_id).not.toBe(firstRunner);
    const secondRunner = await second.waitForLog((l) => l.msg === 'registered with the coordinator', 'registration');
    expect(run.runner_id).toBe(secondRunner.runner);
    const statuses = (await allEvents(api, session_id)).filter((e) => e.type === 'run_status').map((e) => e.event.status);
    expect(statuses).toEqual(['queued', 'claimed', 'running', 'lost', 'queued', 'claimed', 'running', 'succeeded']);
    // The orphan of the killed runner still ticks; the kit kills it (it wrote its pid) at cleanup.
    expect(kit().executorPids().length).toBe(2);
  });

  it('a coordinator restarted mid-run (same SQLite file): the runner keeps the executor and every event arrives once, in order', async () => {
    const port = await freePort();
    const coordinator = await kit().coordinator({ port });
    const { api, url } = coordinator;
    const go = join(kit().dir, 'go');
    const daemon = await kit().daemon(['-c', url, '-x', 'ticker'], { GO_FILE: go });
    const { session_id, run_id } = await createSession(api, { executor: 'ticker', prompt: 'work' });
    await waitForEvent(api, session_id, (e) => e.type === 'progress' && e.event.message === 'tick 5');
    const [executorPid] = kit().executorPids();

    await coordinator.proc.stop('SIGKILL');
    // While it is down the executor keeps running and reporting (a tick every 20 ms): the runner holds
    // the undelivered events and says so.
    await daemon.waitForLog((l) => l.msg === 'reports not delivered; will retry' && Number(l.pending) >= 10, 'ten events held back');
    expect(isRunning(executorPid!)).toBe(true);

    await kit().coordinator({ port, database: coordinator.database });
    // Only now let the executor end: all its ticks, before and during the outage, must be stored.
    writeFileSync(go, '');
    const session = await waitForSession(api, session_id, ['idle', 'failed']);
    expect(session.status).toBe('idle');
    const ticks = Number(/ticks (\d+)/.exec(session.result!.result_text!)![1]);
    expect(ticks).toBeGreaterThan(15); // 5 before the outage, ~15 during it

    const events = await allEvents(api, session_id);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const executorEvents = events.filter((e) => e.type !== 'run_status');
    // Per-run seqs 1..N, each once, in order: the ticks, then the result.
    expect(executorEvents.map((e) => e.run_seq)).toEqual(executorEvents.map((_, i) => i + 1));
    expect(executorEvents.filter((e) => e.type === 'progress').map((e) => e.event.message)).toEqual(Array.from({ length: ticks }, (_, i) => `tick ${i + 1}`));
    expect(executorEvents.at(-1)).toMatchObject({ type: 'result', run_id });
    const statuses = events.filter((e) => e.type === 'run_status').map((e) => e.event.status);
    expect(statuses).toEqual(['queued', 'claimed', 'running', 'succeeded']);
    expect((await api('GET', `/v1/runs/${run_id}`)).body).toMatchObject({ status: 'succeeded', attempt: 1 });
  });

  it('sixteen runs that end while the coordinator is down wait for it together, quietly, and all arrive when it is back', async () => {
    const port = await freePort();
    const coordinator = await kit().coordinator({ port });
    const { api, url } = coordinator;
    const go = join(kit().dir, 'go');
    const daemon = await kit().daemon(['-c', url, '-x', 'ticker', '-n', '16'], { GO_FILE: go });
    const sessions = await Promise.all(Array.from({ length: 16 }, (_, i) => createSession(api, { executor: 'ticker', prompt: `work ${i}` })));
    for (const { session_id } of sessions) await waitForEvent(api, session_id, (e) => e.type === 'progress');

    await coordinator.proc.stop('SIGKILL');
    writeFileSync(go, '');
    // Each ended run waits for its report to be delivered, listening on one signal of the runner's
    // shutdown: sixteen listeners on it, more than Node's default of 10 before it warns of a leak.
    await daemon.waitForLog(() => daemon.logs.filter((l) => l.msg === 'succeeded').length === 16, 'all sixteen executors to finish');
    await kit().coordinator({ port, database: coordinator.database });
    for (const { session_id } of sessions) expect(await waitForSession(api, session_id, ['idle', 'failed'], 2 * WAIT_MS)).toMatchObject({ status: 'idle' });
    expect(daemon.stderr()).not.toMatch(/MaxListenersExceededWarning/);
  });

  it('a second signal while the coordinator is down ends the runner after the report deadline (exit 1, saying what was not delivered)', async () => {
    const coordinator = await kit().coordinator();
    const { api, url } = coordinator;
    const go = join(kit().dir, 'go');
    const daemon = await kit().daemon(['-c', url, '-x', 'ticker', '--grace', '200ms'], { GO_FILE: go });
    const { session_id } = await createSession(api, { executor: 'ticker', prompt: 'work' });
    await waitForEvent(api, session_id, (e) => e.type === 'progress');
    await coordinator.proc.stop('SIGKILL');
    writeFileSync(go, '');
    await daemon.waitForLog((l) => l.msg === 'succeeded', 'the executor to finish');

    daemon.child.kill('SIGTERM');
    await daemon.waitForLog((l) => l.signal === 'SIGTERM', 'the first signal to be noticed');
    daemon.child.kill('SIGINT');
    expect(await daemon.exited).toEqual({ code: 1, signal: null });
    const lost = await daemon.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('exiting without delivering'), 'the loss report');
    expect(lost.runs).toHaveLength(1);
    expect(Number(lost.events)).toBeGreaterThan(0);
  }, 120_000); // the runner waits the grace plus REPORT_DEADLINE_MS (15 s) for the coordinator

  it('a coordinator that forgot the runner (new database on the same address): the runner registers again and takes new runs', async () => {
    const port = await freePort();
    const first = await kit().coordinator({ port });
    const daemon = await kit().daemon(['-c', first.url, '-x', 'sh-echo']);
    await first.proc.stop('SIGKILL');
    const second = await kit().coordinator({ port, database: join(kit().tempDir(), 'other.db') });

    const { session_id } = await createSession(second.api, { executor: 'sh-echo', prompt: 'again' });
    // The runner retries an unreachable coordinator with a backoff of up to 10 s; a slow restart on a busy
    // machine lets it grow that far before the run can even be claimed.
    expect(await waitForSession(second.api, session_id, ['idle', 'failed'], 2 * WAIT_MS)).toMatchObject({ status: 'idle', result: { result_text: 'Echo (sh): again' } });
    await daemon.waitForLog((l) => l.msg === 'the coordinator does not know this runner; registering again', 'the re-registration notice');
    expect(daemon.logs.filter((l) => l.msg === 'registered with the coordinator')).toHaveLength(2);
  });
});
