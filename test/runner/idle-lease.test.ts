// An idle runner sends no heartbeats: the coordinator renews the lease of a runner whose long-poll it
// holds (`poll_keeps_lease`), and the runner heartbeats again as soon as it holds a run. Seen on the wire
// through a recording proxy between a real runner daemon and a real coordinator with a short lease.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../coordinator/helpers.js';
import { startRecordingProxy, type RecordingProxy } from './recording-proxy.js';
import { createSession, useRunnerKit, waitForEvent, waitForSession } from './runner-kit.js';

// A lease of 6 s, heartbeats every 1.2 s if they were sent, renewed by the sweep every 100 ms; an idle
// runner's polls then wait 2.4 s (lib/runner/idle-poll.ts). A 3 s lease lapsed once beside stress-ng:
// the runner, starved of CPU, was late and its heartbeat was refused.
const LEASE_MS = 6_000;
const SHORT_LEASE = ['--lease', `${LEASE_MS}ms`, '--heartbeat-interval', '1200ms', '--sweep-interval', '100ms'];
const isHeartbeat = (r: { method: string; path: string }) => r.method === 'POST' && /^\/v1\/runners\/[^/]+\/heartbeat$/.test(r.path);

describe('an idle runner and its lease', () => {
  const kit = useRunnerKit();
  const proxies: RecordingProxy[] = [];
  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((p) => p.close()));
  });

  it('stays online over several leases without a heartbeat while its poll is parked, and heartbeats while it holds a run', { timeout: 90_000 }, async () => {
    const { api, url } = await kit().coordinator({ args: SHORT_LEASE });
    const proxy = await startRecordingProxy(url);
    proxies.push(proxy);
    const go = join(kit().dir, 'go');
    const runner = await kit().daemon(['-c', proxy.url, '-x', 'ticker'], { GO_FILE: go });
    const runnerId = (await runner.waitForLog((l) => l.msg === 'registered with the coordinator', 'registration')).runner as string;
    const view = async () => ((await api('GET', '/v1/runners')).body.runners as Array<Record<string, unknown>>).find((r) => r.runner_id === runnerId)!;
    const registeredAt = Date.parse((await view()).registered_at as string);

    // Its lease is renewed (last_seen_at moves on past two leases after registration) while it heartbeats
    // only when a poll is overdue (answered late under load): fewer heartbeats than polls, where a runner
    // heartbeating at its interval would send two per poll (1.2 s interval, 2.4 s polls).
    const renewed = await eventually(async () => {
      const seen = await view();
      return Date.parse(seen.last_seen_at as string) > registeredAt + 2 * LEASE_MS ? seen : undefined;
    }, 60_000);
    expect(renewed.status).toBe('online');
    const polls = proxy.requests.filter((r) => r.path.endsWith('/next-run')).length;
    expect(polls).toBeGreaterThanOrEqual(4);
    expect(proxy.requests.filter(isHeartbeat).length).toBeLessThan(polls);

    // With a run held, the runner heartbeats again (naming its run), and its lease never lapses.
    const { session_id, run_id } = await createSession(api, { executor: 'ticker', prompt: 'x' });
    await waitForEvent(api, session_id, (e) => e.type === 'progress');
    await eventually(async () => proxy.requests.filter(isHeartbeat).length >= 3, 60_000);
    writeFileSync(go, '');
    expect(await waitForSession(api, session_id, ['idle', 'failed', 'cancelled'])).toMatchObject({ status: 'idle' });
    expect((await api('GET', `/v1/runs/${run_id}`)).body).toMatchObject({ status: 'succeeded', attempt: 1, runner_id: runnerId });
    // Every heartbeat was answered 200 (one sent as the run ended may still be on its way: wait for its answer).
    const statuses = await eventually(async () => {
      const all = proxy.requests.filter(isHeartbeat).map((r) => r.status);
      return all.every((status) => status !== undefined) ? all : undefined;
    });
    expect(statuses).toEqual(statuses.map(() => 200));
  });
});
