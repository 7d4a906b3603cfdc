import { afterEach, describe, expect, it } from 'vitest';
import { startCoordinator } from '../../coordinator/start-coordinator.js';
import { SessionViewSchema } from '../../protocol/sessions.js';
import { eventually, pollRun, registerRunner, startTestCoordinator, STORE_KINDS } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe.each(STORE_KINDS)('placement over HTTP: the decided executor, why a run waits, failing at once (%s)', (kind) => {
  const start = async (options: Parameters<typeof startTestCoordinator>[1] = {}) => {
    const t = await startTestCoordinator(kind, options);
    cleanups.push(t.stop);
    return t;
  };

  it('decides the executor when the session is created: the run\'s, else the agent\'s, else --default-executor', async () => {
    const { api } = await start({ defaultExecutor: 'test-executor' });
    await api('PUT', '/v1/agents/plain', { system_prompt: 'no executor named' });
    await api('PUT', '/v1/agents/shell', { system_prompt: 'x', executor: 'sh-echo' });
    const executorOf = async (body: object) => {
      const created = await api('POST', '/v1/sessions', { prompt: 'x', ...body });
      expect(created.status).toBe(201);
      const session = (await api('GET', `/v1/sessions/${created.body.session_id}`)).body;
      const run = (await api('GET', `/v1/runs/${created.body.run_id}`)).body;
      expect(run.executor).toBe(session.executor);
      return session.executor;
    };
    expect(await executorOf({ agent: 'plain' })).toBe('test-executor');
    expect(await executorOf({})).toBe('test-executor');
    expect(await executorOf({ agent: 'shell' })).toBe('sh-echo');
    expect(await executorOf({ agent: 'plain', executor: 'python-echo' })).toBe('python-echo');
    // So a runner without that executor never claims it (the claim is checked at once: no wait).
    const claude = await registerRunner(api, ['claude-code']);
    expect((await pollRun(api, claude)).run).toBeNull();
    const tester = await registerRunner(api, ['test-executor']);
    expect((await pollRun(api, tester)).run).toMatchObject({ executor: 'test-executor' });
  });

  it('GET /v1/sessions/:id says why a queued run waits: no runner, none that serves it, a busy one, a retry delay', async () => {
    const { api } = await start({ timings: { placementTimeoutMs: 600_000, backoffBaseMs: 60_000, backoffMaxMs: 60_000, backoffRandom: () => 1 } });
    const { session_id, run_id } = (await api('POST', '/v1/sessions', { executor: 'gpu-exec', tags: ['gpu'], prompt: 'x' })).body;
    const waitingOf = async (id = session_id) => {
      const view = (await api('GET', `/v1/sessions/${id}`)).body;
      expect(SessionViewSchema.safeParse(view).success).toBe(true);
      return view.waiting;
    };
    const none = await waitingOf();
    expect(none).toMatchObject({ run_id, reason: 'no_runner_online', executor: 'gpu-exec', tags: ['gpu'], runners: [], runners_online: 0, excluded_runners: [] });
    expect(none.message).toMatch(/^no runner is online to serve executor "gpu-exec" with tags \[gpu\]; it fails at \S+Z unless one comes \(placement timeout 10m\)$/);
    expect(Date.parse(none.fails_at)).toBeGreaterThan(Date.now());

    const cpu = await registerRunner(api, ['cpu'], ['linux']);
    const unserved = await waitingOf();
    expect(unserved).toMatchObject({
      reason: 'no_runner_serves',
      runners: [{ runner_id: cpu.runner_id, name: 'test-runner', executors: ['cpu'], tags: ['linux'], serves: false, excluded: false }],
    });
    expect(unserved.message).toContain(`no online runner serves executor "gpu-exec" with tags [gpu] (online: ${cpu.runner_id} serves executors [cpu], tags [linux])`);

    const gpu = await registerRunner(api, ['gpu-exec'], ['gpu']);
    expect(await waitingOf()).toMatchObject({ reason: 'runner_busy', fails_at: null, message: `1 online runner can serve it (${gpu.runner_id}); waiting for a free slot` });

    // Claimed: not waiting. Its executor exits 75: the retry waits for its delay, and not for that runner.
    const claimed = await pollRun(api, gpu);
    expect(await waitingOf()).toBeNull();
    const other = await registerRunner(api, ['gpu-exec'], ['gpu']);
    await api('POST', `/v1/runs/${run_id}/finished`, { kind: 'infra_failed', message: 'exit 75', exit_code: 75 }, gpu.token);
    const retry = await waitingOf();
    expect(retry).toMatchObject({ reason: 'retry_backoff', excluded_runners: [gpu.runner_id] });
    expect(retry.message).toMatch(/^attempt 2 of 3 waits for its retry delay, until /);
    expect(retry.runners.find((r: { runner_id: string }) => r.runner_id === gpu.runner_id)).toMatchObject({ serves: false, excluded: true });
    expect(retry.runners.find((r: { runner_id: string }) => r.runner_id === other.runner_id)).toMatchObject({ serves: true, excluded: false });
    expect(claimed.run.run_id).toBe(run_id);
    // A list does not explain (one look at the runners per session shown): no `waiting` there.
    expect((await api('GET', '/v1/sessions')).body.sessions[0].waiting).toBeUndefined();
  });

  it('a placement timeout of 0 fails a run no online runner serves when it is created (and resumed), with the reason', async () => {
    const { api } = await start({ timings: { placementTimeoutMs: 0 } });
    const runner = await registerRunner(api, ['sh-echo'], []);
    const created = await api('POST', '/v1/sessions', { executor: 'sh-echo', tags: ['gpu'], prompt: 'x' });
    expect(created).toMatchObject({ status: 201, body: { status: 'failed' } });
    const run = (await api('GET', `/v1/runs/${created.body.run_id}`)).body;
    expect(run).toMatchObject({ status: 'failed', attempt: 1, runner_id: null, claimed_at: null });
    expect(run.error).toBe(`no runner can serve this run: no online runner serves executor "sh-echo" with tags [gpu] (online: ${runner.runner_id} serves executors [sh-echo], tags [none])`);
    const view = (await api('GET', `/v1/sessions/${created.body.session_id}`)).body;
    expect(view).toMatchObject({ status: 'failed', waiting: null });
    // The stored events say it once: queued, then failed with the reason.
    const events = (await api('GET', `/v1/sessions/${created.body.session_id}/events`)).body.events.map((e: any) => [e.event.status, e.event.message]);
    expect(events).toEqual([['queued', undefined], ['failed', run.error]]);
    const resumed = await api('POST', `/v1/sessions/${created.body.session_id}/resume`, { prompt: 'again' });
    expect(resumed).toMatchObject({ status: 201, body: { status: 'failed' } });
    // A run the runner serves is queued as usual.
    expect((await api('POST', '/v1/sessions', { executor: 'sh-echo', prompt: 'x' })).body.status).toBe('queued');
  });

  it('with a placement timeout of 0, a parked poll still gets each run it serves at once (its check locks only the runs it fails)', async () => {
    // No sweep in this test: nothing but the wake-up of the create can hand the run to the parked poll.
    const { api } = await start({ timings: { placementTimeoutMs: 0, sweepIntervalMs: 600_000 } });
    const runner = await registerRunner(api, ['sh-echo'], []);
    for (let i = 0; i < 20; i++) {
      // Parked (its first claim found nothing) before the create: the create's check for runners runs beside
      // the woken poll's claim, which passed over a row that check had locked and then waited out its timeout.
      const parked = pollRun(api, runner, 20_000);
      await eventually(async () => /agent_coordinator_polls_waiting 1\b/.test((await api('GET', '/metrics')).body));
      const created = await api('POST', '/v1/sessions', { executor: 'sh-echo', prompt: `run ${i}` });
      expect(created.body.status).toBe('queued');
      expect((await parked).run?.run_id, `run ${i}`).toBe(created.body.run_id);
    }
  }, 60_000);
});

it('startCoordinator refuses a default executor no executor folder can be named, naming the option', async () => {
  for (const name of ['', 'a b', '../x', 'x\u0000y']) {
    await expect(startCoordinator({ port: 0, databaseUrl: ':memory:', agentsDir: null, defaultExecutor: name })).rejects.toThrow(
      `defaultExecutor: "${name}" is not an executor name`,
    );
  }
});
