// The coordinator renews the lease of a runner whose long-poll it holds, unless the store says the runner
// holds a run: that runner must heartbeat, naming its runs, or lose them with its lease.
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, registerRunner, startTestCoordinator, STORE_KINDS, type Api } from './helpers.js';

const timings = { leaseMs: 1_500, heartbeatIntervalMs: 500, sweepIntervalMs: 100, pollTimeoutMs: 60_000, backoffBaseMs: 20, backoffMaxMs: 50 };

describe.each(STORE_KINDS)('leases kept by parked polls (%s)', (kind) => {
  let stop: (() => Promise<void>) | undefined;
  const polls: AbortController[] = [];
  afterEach(async () => {
    for (const poll of polls.splice(0)) poll.abort();
    await stop?.();
    stop = undefined;
  });

  /** Park a long-poll of `runner` (its answer, when it comes, is the promise). */
  function park(url: string, runner: { runner_id: string; token: string }) {
    const controller = new AbortController();
    polls.push(controller);
    const answer = fetch(`${url}/v1/runners/${runner.runner_id}/next-run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${runner.token}` },
      body: '{}',
      signal: controller.signal,
    }).then(async (res) => ({ status: res.status, body: (await res.json()) as any }));
    answer.catch(() => undefined);
    return answer;
  }

  const runnerView = async (api: Api, id: string) => ((await api('GET', '/v1/runners')).body.runners as Array<Record<string, any>>).find((r) => r.runner_id === id)!;

  it('says so at registration, and keeps an idle runner with a parked poll online past its lease without heartbeats', async () => {
    const t = await startTestCoordinator(kind, { timings });
    stop = t.stop;
    const runner = await registerRunner(t.api);
    expect(runner).toMatchObject({ poll_keeps_lease: true, lease_ms: 1_500 });
    const registeredAt = Date.parse((await runnerView(t.api, runner.runner_id)).registered_at);
    void park(t.url, runner);
    const seen = await eventually(async () => {
      const view = await runnerView(t.api, runner.runner_id);
      return Date.parse(view.last_seen_at) > registeredAt + 3_000 ? view : undefined;
    }, 60_000);
    expect(seen.status).toBe('online');
  });

  it('does not renew the lease of a runner the store says holds a run: the run is taken back when it lapses', async () => {
    const t = await startTestCoordinator(kind, { timings });
    stop = t.stop;
    const runner = await registerRunner(t.api);
    const created = (await t.api('POST', '/v1/sessions', { executor: 'test', prompt: 'x' })).body as { session_id: string; run_id: string };
    // The runner claims the run, and then (as if that answer never reached it) parks a poll and says nothing more.
    const first = await park(t.url, runner);
    expect(first.body.run.run_id).toBe(created.run_id);
    const parked = park(t.url, runner);
    // The lease lapses: the run is lost and queued again; the parked poll then takes its second attempt.
    const second = await parked;
    expect(second.body.run).toMatchObject({ run_id: created.run_id, attempt: 2 });
    const run = (await t.api('GET', `/v1/runs/${created.run_id}`)).body;
    expect(run).toMatchObject({ status: 'claimed', attempt: 2 });
    const events = (await t.api('GET', `/v1/sessions/${created.session_id}/events`)).body.events as Array<{ event: { status?: string } }>;
    expect(events.map((e) => e.event.status)).toEqual(['queued', 'claimed', 'lost', 'queued', 'claimed']);
  });
});
