import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allEvents, createSession, useRunnerKit, waitForEvent, waitForSession } from './runner-kit.js';

// A lease far shorter than the drain timeout, noticed within 100 ms, retried at once.
const SHORT_LEASE = ['--lease', '1500ms', '--heartbeat-interval', '300ms', '--sweep-interval', '100ms', '--backoff-base', '50ms', '--backoff-max', '100ms'];
/** Ticks of the ticker (each at least 20 ms apart) the drain must last: over 3 s, two leases. */
const DRAIN_TICKS = 150;

describe('a draining runner keeps its runs', () => {
  const kit = useRunnerKit();

  it('with a drain timeout longer than the lease, no second runner starts the run while the first drains it', { timeout: 90_000 }, async () => {
    const { api, url } = await kit().coordinator({ args: SHORT_LEASE });
    const go = join(kit().dir, 'go');
    const first = await kit().daemon(['-c', url, '-x', 'ticker', '--drain-timeout', '10m'], { GO_FILE: go });
    const firstId = (await first.waitForLog((l) => l.msg === 'registered with the coordinator', 'registration')).runner;
    const { session_id, run_id } = await createSession(api, { executor: 'ticker', prompt: 'x' });
    await waitForEvent(api, session_id, (e) => e.type === 'progress');

    first.child.kill('SIGTERM');
    await first.waitForLog((l) => l.signal === 'SIGTERM', 'the drain to begin');
    // A second runner that could serve the run, and would, if the first one's lease lapsed.
    const second = await kit().daemon(['-c', url, '-x', 'ticker'], { GO_FILE: go });
    // The ticks are a clock that load can only slow down: this many mean over two leases have passed.
    const ticked = (await allEvents(api, session_id)).filter((e) => e.type === 'progress').length;
    await waitForEvent(api, session_id, (e) => e.type === 'progress' && e.event.message === `tick ${ticked + DRAIN_TICKS}`, 60_000);
    writeFileSync(go, '');
    expect(await first.exited).toEqual({ code: 0, signal: null });

    expect(await waitForSession(api, session_id, ['idle', 'failed', 'cancelled'])).toMatchObject({ status: 'idle' });
    expect((await api('GET', `/v1/runs/${run_id}`)).body).toMatchObject({ status: 'succeeded', attempt: 1, runner_id: firstId });
    const statuses = (await allEvents(api, session_id)).filter((e) => e.type === 'run_status').map((e) => e.event.status);
    expect(statuses).toEqual(['queued', 'claimed', 'running', 'succeeded']);
    expect(kit().executorPids()).toHaveLength(1);
    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
  });
});
