import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Api, registerRunner, startTestCoordinator, STORE_KINDS } from './helpers.js';

/**
 * `POST /v1/runners/:id/reports` (started, events and finished of several runs in one request) and
 * `POST /v1/runners/:id/next-run` with `max`, over real HTTP on both stores.
 */

type Runner = { runner_id: string; token: string };

const BACKOFF_MS = 40;

const log = (seq: number, message = `line ${seq}`) => ({ seq, event: { type: 'log', message } });
const message = (seq: number, text: string) => ({ seq, event: { type: 'message', role: 'assistant', text } });
const usage = (seq: number, input_tokens: number) => ({ seq, event: { type: 'usage', input_tokens } });
const result = (seq: number, result_text: string) => ({ seq, event: { type: 'result', result_text } });
const succeeded = (extra: Record<string, unknown> = {}) => ({ kind: 'succeeded', message: 'succeeded', exit_code: 0, ...extra });

describe.each(STORE_KINDS)('runner reports and multi-claim (%s)', (kind) => {
  let t: Awaited<ReturnType<typeof startTestCoordinator>> | undefined;
  let api: Api;

  beforeEach(async () => {
    // Short retry backoff so a re-queued run can be claimed again within the test.
    t = await startTestCoordinator(kind, { timings: { backoffBaseMs: BACKOFF_MS, backoffMaxMs: BACKOFF_MS, backoffRandom: () => 1 } });
    api = t.api;
  });
  afterEach(async () => {
    const running = t;
    t = undefined;
    await running?.stop();
  });

  const report = (runner: Runner, reports: unknown, token = runner.token, path = runner.runner_id) =>
    api('POST', `/v1/runners/${path}/reports`, { reports }, token);

  const poll = async (runner: Runner, body: Record<string, unknown> = { timeout_ms: 0 }) => {
    const res = await api('POST', `/v1/runners/${runner.runner_id}/next-run`, body, runner.token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as { run: any; session?: any; invocation?: any; runs: any[]; stop: string[] };
  };

  /** Create a session on `executor` and return its ids. */
  const createSession = async (executor = 'test', prompt = 'go') => {
    const res = await api('POST', '/v1/sessions', { executor, prompt });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { session_id: string; run_id: string };
  };

  /** A session whose run `runner` claimed. */
  const claimedSession = async (runner: Runner, executor = 'test') => {
    const created = await createSession(executor);
    const { runs } = await poll(runner);
    expect(runs.map((r) => r.run.run_id)).toEqual([created.run_id]);
    return created;
  };

  /** A session's events as [seq, run_seq, type, status-or-detail]. */
  const eventsOf = async (sessionId: string) => {
    const res = await api('GET', `/v1/sessions/${sessionId}/events?limit=1000`);
    expect(res.status).toBe(200);
    return (res.body.events as any[]).map((e) => [
      e.seq,
      e.run_seq,
      e.type,
      e.type === 'run_status' ? `${e.event.status}#${e.event.attempt}` : (e.event.text ?? e.event.message ?? e.event.result_text ?? e.event.input_tokens),
    ]);
  };
  const getRun = async (runId: string) => (await api('GET', `/v1/runs/${runId}`)).body;
  const getSession = async (sessionId: string) => (await api('GET', `/v1/sessions/${sessionId}`)).body;

  const lifecycle = (runId: string) => ({
    run_id: runId,
    started: { pid: 4242 },
    events: [message(1, 'hello'), usage(2, 7), result(3, 'done')],
    finished: succeeded({ result: { type: 'result', result_text: 'done' }, executor_session_id: 'exec-1', duration_ms: 12 }),
  });
  const lifecycleEvents = [
    [1, -1, 'run_status', 'queued#1'],
    [2, -2, 'run_status', 'claimed#1'],
    [3, -3, 'run_status', 'running#1'],
    [4, 1, 'message', 'hello'],
    [5, 2, 'usage', 7],
    [6, 3, 'result', 'done'],
    [7, -4, 'run_status', 'succeeded#1'],
  ];

  it('applies a whole run (started, events, finished) from one request', async () => {
    const runner = await registerRunner(api);
    const { session_id, run_id } = await claimedSession(runner);
    const res = await report(runner, [lifecycle(run_id)]);
    expect(res).toMatchObject({ status: 200 });
    expect(res.body).toEqual({ results: [{ run_id, status: 'succeeded', accepted: 3, duplicates: 0 }] });

    const run = await getRun(run_id);
    expect(run).toMatchObject({ status: 'succeeded', attempt: 1, runner_id: runner.runner_id, last_event_seq: 3, error: null });
    expect(run.outcome).toMatchObject({ kind: 'succeeded', exit_code: 0, executor_session_id: 'exec-1' });
    expect(run.started_at).toEqual(expect.any(String));
    expect(run.finished_at).toEqual(expect.any(String));
    expect(await api('GET', `/v1/sessions/${session_id}/result`)).toMatchObject({
      status: 200,
      body: { session_id, status: 'idle', result: { result_text: 'done' }, usage: { input_tokens: 7 } },
    });
    expect(await getSession(session_id)).toMatchObject({ status: 'idle', executor_session_id: 'exec-1', last_run_id: run_id, last_event_seq: 7 });
    expect(await eventsOf(session_id)).toEqual(lifecycleEvents);
    // The run_status event of the end names the outcome's kind.
    const last = (await api('GET', `/v1/sessions/${session_id}/events?after=6`)).body.events;
    expect(last).toHaveLength(1);
    expect(last[0].event).toEqual({ type: 'run_status', run_id, status: 'succeeded', attempt: 1, runner_id: runner.runner_id, kind: 'succeeded' });
  });

  it('takes the runner\'s start time (started.at) as started_at, kept between the claim and the report\'s arrival', async () => {
    const runner = await registerRunner(api);
    const startedAtOf = async (at: string | undefined) => {
      const { run_id } = await claimedSession(runner);
      const claimed = Date.parse((await getRun(run_id)).claimed_at);
      // The clock has passed claimed + 1 (a millisecond at most), so that time is before the report arrives.
      while (Date.now() <= claimed + 1) await new Promise((resolve) => setImmediate(resolve));
      const sent = Date.now();
      const res = await report(runner, [{ run_id, started: at === undefined ? {} : { at: at === 'between' ? new Date(claimed + 1).toISOString() : at } }]);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const received = Date.now();
      return { startedAt: Date.parse((await getRun(run_id)).started_at), claimed, sent, received };
    };
    // A start the runner held back a moment: its own time, not the report's arrival.
    const held = await startedAtOf('between');
    expect(held.startedAt).toBe(held.claimed + 1);
    // A runner clock that is behind: never before the claim.
    const behind = await startedAtOf('2001-01-01T00:00:00Z');
    expect(behind.startedAt).toBe(behind.claimed);
    // A runner clock that is ahead: never after the report arrived.
    const ahead = await startedAtOf('2099-01-01T00:00:00+02:00');
    expect(ahead.startedAt).toBeGreaterThanOrEqual(ahead.sent);
    expect(ahead.startedAt).toBeLessThanOrEqual(ahead.received);
    // No time given (an older runner): when the report arrived.
    const none = await startedAtOf(undefined);
    expect(none.startedAt).toBeGreaterThanOrEqual(none.sent);
    expect(none.startedAt).toBeLessThanOrEqual(none.received);
  });

  it('applies a run reported across several requests, like the per-run routes', async () => {
    const runner = await registerRunner(api);
    const { session_id, run_id } = await claimedSession(runner);

    expect((await report(runner, [{ run_id, started: {} }])).body).toEqual({ results: [{ run_id, status: 'running' }] });
    expect((await getSession(session_id)).status).toBe('running');
    expect((await report(runner, [{ run_id, events: [message(1, 'hello'), usage(2, 7)] }])).body).toEqual({
      results: [{ run_id, status: 'running', accepted: 2, duplicates: 0 }],
    });
    expect((await getRun(run_id)).last_event_seq).toBe(2);
    expect((await report(runner, [{ run_id, events: [result(3, 'done')], finished: succeeded({ result: { type: 'result', result_text: 'done' } }) }])).body).toEqual({
      results: [{ run_id, status: 'succeeded', accepted: 1, duplicates: 0 }],
    });
    expect(await eventsOf(session_id)).toEqual(lifecycleEvents);
    expect(await api('GET', `/v1/sessions/${session_id}/result`)).toMatchObject({ body: { status: 'idle', result: { result_text: 'done' } } });

    // The same run through the per-run routes ends the same way, event for event.
    const other = await claimedSession(runner);
    const auth = runner.token;
    expect((await api('POST', `/v1/runs/${other.run_id}/started`, { pid: 4242 }, auth)).status).toBe(200);
    expect((await api('POST', `/v1/runs/${other.run_id}/events`, { events: [message(1, 'hello'), usage(2, 7), result(3, 'done')] }, auth)).status).toBe(200);
    expect((await api('POST', `/v1/runs/${other.run_id}/finished`, succeeded({ result: { type: 'result', result_text: 'done' } }), auth)).status).toBe(200);
    expect(await eventsOf(other.session_id)).toEqual(lifecycleEvents);
  });

  it('a resent request changes nothing: no duplicate events, same status, no error', async () => {
    const runner = await registerRunner(api);
    const { session_id, run_id } = await claimedSession(runner);

    // A partial report resent with more events: only the new ones are stored, `started` is not repeated.
    const partial = { run_id, started: {}, events: [message(1, 'hello'), usage(2, 7)] };
    expect((await report(runner, [partial])).body).toEqual({ results: [{ run_id, status: 'running', accepted: 2, duplicates: 0 }] });
    expect((await report(runner, [partial])).body).toEqual({ results: [{ run_id, status: 'running', accepted: 0, duplicates: 2 }] });
    const full = lifecycle(run_id);
    expect((await report(runner, [full])).body).toEqual({ results: [{ run_id, status: 'succeeded', accepted: 1, duplicates: 2 }] });
    const before = await getRun(run_id);

    for (let i = 0; i < 2; i++) {
      const again = await report(runner, [full]);
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ results: [{ run_id, status: 'succeeded', accepted: 0, duplicates: 3 }] });
    }
    // A resend of `finished` alone (an outcome whose answer got lost) is skipped too.
    expect((await report(runner, [{ run_id, finished: succeeded() }])).body).toEqual({ results: [{ run_id, status: 'succeeded' }] });
    expect((await report(runner, [{ run_id, started: {} }])).body).toEqual({ results: [{ run_id, status: 'succeeded' }] });

    expect(await getRun(run_id)).toEqual(before);
    expect(await eventsOf(session_id)).toEqual(lifecycleEvents);
    expect((await getSession(session_id)).last_event_seq).toBe(7);
  });

  it('a refused report (another runner\'s run: 403) does not stop the others in the batch', async () => {
    const a = await registerRunner(api);
    const b = await registerRunner(api);
    const first = await createSession();
    const second = await createSession();
    expect((await poll(a, { timeout_ms: 0, max: 2 })).runs.map((r) => r.run.run_id).sort()).toEqual([first.run_id, second.run_id].sort());
    const theirs = await claimedSession(b);

    const res = await report(a, [
      lifecycle(first.run_id),
      { run_id: theirs.run_id, started: {}, events: [log(1)], finished: succeeded() },
      { run_id: second.run_id, started: {}, events: [log(1), log(2)] },
    ]);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      results: [
        { run_id: first.run_id, status: 'succeeded', accepted: 3, duplicates: 0 },
        {
          run_id: theirs.run_id,
          error: {
            status: 403,
            code: 'forbidden',
            message: `runner ${a.runner_id} does not hold run ${theirs.run_id}`,
            details: { run: theirs.run_id, runner: a.runner_id },
          },
        },
        { run_id: second.run_id, status: 'running', accepted: 2, duplicates: 0 },
      ],
    });
    // The per-run route refuses the same thing with the same error.
    expect(await api('POST', `/v1/runs/${theirs.run_id}/started`, {}, a.token)).toMatchObject({
      status: 403,
      body: { error: { code: 'forbidden', message: `runner ${a.runner_id} does not hold run ${theirs.run_id}` } },
    });

    expect(await eventsOf(first.session_id)).toEqual(lifecycleEvents);
    expect(await eventsOf(second.session_id)).toEqual([
      [1, -1, 'run_status', 'queued#1'], [2, -2, 'run_status', 'claimed#1'], [3, -3, 'run_status', 'running#1'],
      [4, 1, 'log', 'line 1'], [5, 2, 'log', 'line 2'],
    ]);
    // Runner B's run is untouched, and B can still report it.
    expect(await getRun(theirs.run_id)).toMatchObject({ status: 'claimed', runner_id: b.runner_id, last_event_seq: 0, started_at: null });
    expect(await eventsOf(theirs.session_id)).toEqual([[1, -1, 'run_status', 'queued#1'], [2, -2, 'run_status', 'claimed#1']]);
    expect((await report(b, [{ run_id: theirs.run_id, started: {}, events: [log(1)], finished: succeeded() }])).body).toEqual({
      results: [{ run_id: theirs.run_id, status: 'succeeded', accepted: 1, duplicates: 0 }],
    });
  });

  it('an unknown run is a 404 in its result; the rest of the batch applies', async () => {
    const runner = await registerRunner(api);
    const { session_id, run_id } = await claimedSession(runner);
    const res = await report(runner, [
      { run_id: 'run_missing', started: {}, events: [log(1)], finished: succeeded() },
      { run_id, started: {}, events: [log(1)] },
    ]);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      results: [
        { run_id: 'run_missing', error: { status: 404, code: 'not_found', message: 'run run_missing not found', details: { run: 'run_missing' } } },
        { run_id, status: 'running', accepted: 1, duplicates: 0 },
      ],
    });
    expect((await api('POST', '/v1/runs/run_missing/started', {}, runner.token)).status).toBe(404);
    expect(await eventsOf(session_id)).toEqual([
      [1, -1, 'run_status', 'queued#1'], [2, -2, 'run_status', 'claimed#1'], [3, -3, 'run_status', 'running#1'], [4, 1, 'log', 'line 1'],
    ]);
  });

  it('an illegal transition is a 409 in its result and rolls back that whole report (its events too)', async () => {
    const runner = await registerRunner(api);
    const held = await claimedSession(runner);
    const fine = await claimedSession(runner);
    // No request leaves a held run in `lost` (the sweep re-queues or fails it in the same transaction),
    // so put it there directly: `lost → succeeded` is not a legal move.
    await t!.coordinator.store.sql.query("UPDATE runs SET status = 'lost' WHERE id = ?", [held.run_id]);

    const res = await report(runner, [
      { run_id: held.run_id, events: [log(1), log(2)], finished: succeeded() },
      { run_id: fine.run_id, started: {}, events: [log(1)], finished: succeeded() },
    ]);
    expect(res.status).toBe(200);
    expect(res.body.results[0]).toEqual({
      run_id: held.run_id,
      error: {
        status: 409,
        code: 'illegal_transition',
        message: `run ${held.run_id} cannot go from lost to succeeded`,
        details: { run: held.run_id, from: 'lost', to: 'succeeded' },
      },
    });
    expect(res.body.results[1]).toEqual({ run_id: fine.run_id, status: 'succeeded', accepted: 1, duplicates: 0 });
    expect(res.body.results).toHaveLength(2);
    // One transaction per run: the refused report's events were not kept.
    expect(await getRun(held.run_id)).toMatchObject({ status: 'lost', last_event_seq: 0 });
    expect(await eventsOf(held.session_id)).toEqual([[1, -1, 'run_status', 'queued#1'], [2, -2, 'run_status', 'claimed#1']]);
    expect(await eventsOf(fine.session_id)).toEqual([
      [1, -1, 'run_status', 'queued#1'], [2, -2, 'run_status', 'claimed#1'], [3, -3, 'run_status', 'running#1'],
      [4, 1, 'log', 'line 1'], [5, -4, 'run_status', 'succeeded#1'],
    ]);
  });

  // A failure of the runner before any executor ran (exit_code null, e.g. a blueprint it could not fetch):
  // the same runner may take the retry. (The executor's own exit 75 sends it elsewhere: placement.test.ts.)
  it('a retryable infrastructure failure re-queues the run (attempt 2), as /finished does', async () => {
    const runner = await registerRunner(api);
    const viaReports = await claimedSession(runner);
    const viaFinished = await claimedSession(runner);
    const infra = { kind: 'infra_failed', message: 'runner error: blueprint unavailable', exit_code: null };

    const res = await report(runner, [{ run_id: viaReports.run_id, started: {}, events: [log(1)], finished: infra }]);
    expect(res.body).toEqual({ results: [{ run_id: viaReports.run_id, status: 'queued', accepted: 1, duplicates: 0 }] });
    await api('POST', `/v1/runs/${viaFinished.run_id}/started`, {}, runner.token);
    await api('POST', `/v1/runs/${viaFinished.run_id}/events`, { events: [log(1)] }, runner.token);
    expect((await api('POST', `/v1/runs/${viaFinished.run_id}/finished`, infra, runner.token)).body).toMatchObject({ status: 'queued', attempt: 2 });

    const expectedEvents = [
      [1, -1, 'run_status', 'queued#1'], [2, -2, 'run_status', 'claimed#1'], [3, -3, 'run_status', 'running#1'],
      [4, 1, 'log', 'line 1'], [5, -4, 'run_status', 'queued#2'],
    ];
    for (const { session_id, run_id } of [viaReports, viaFinished]) {
      const run = await getRun(run_id);
      expect(run).toMatchObject({
        status: 'queued', attempt: 2, runner_id: null, claimed_at: null, started_at: null, finished_at: null,
        error: 'runner error: blueprint unavailable', last_event_seq: 1, outcome: { kind: 'infra_failed', exit_code: null }, excluded_runners: [],
      });
      expect(Date.parse(run.available_at) - Date.parse(run.queued_at)).toBe(BACKOFF_MS);
      expect(await getSession(session_id)).toMatchObject({ status: 'queued', runner_id: null });
      expect(await eventsOf(session_id)).toEqual(expectedEvents);
      const requeued = (await api('GET', `/v1/sessions/${session_id}/events?after=4`)).body.events[0].event;
      expect(requeued).toEqual({ type: 'run_status', run_id, status: 'queued', attempt: 2, runner_id: null, message: 'runner error: blueprint unavailable', kind: 'infra_failed' });
    }

    // A resend of that report while the run waits to be retried changes nothing: naming its attempt it
    // is skipped; without one the runner no longer holds the run, so it is refused (403 in its result).
    const resent = await report(runner, [{ run_id: viaReports.run_id, started: {}, events: [log(1)], finished: infra }]);
    expect(resent.body.results).toEqual([
      { run_id: viaReports.run_id, error: expect.objectContaining({ status: 403, code: 'forbidden' }) },
    ]);
    const resentWithAttempt = await report(runner, [{ run_id: viaReports.run_id, attempt: 1, started: {}, events: [log(1)], finished: infra }]);
    expect(resentWithAttempt.body.results).toEqual([
      { run_id: viaReports.run_id, status: 'queued', skipped: `attempt 1 of run ${viaReports.run_id} is over (it is on attempt 2)` },
    ]);
    expect(await eventsOf(viaReports.session_id)).toEqual(expectedEvents);

    // After the backoff both are claimed again as attempt 2, continuing the run's event numbering.
    // The long-poll is woken when the backoff ends (not at its 20 s timeout: half of it is ample for a
    // 40 ms backoff on a busy machine).
    const polledAt = Date.now();
    const again = await poll(runner, { timeout_ms: 20_000, max: 2 });
    expect(Date.now() - polledAt).toBeLessThan(10_000);
    const got = new Map<string, any>();
    for (const a of again.runs) got.set(a.run.run_id, a);
    if (got.size < 2) for (const a of (await poll(runner, { timeout_ms: 20_000, max: 2 })).runs) got.set(a.run.run_id, a);
    expect([...got.keys()].sort()).toEqual([viaReports.run_id, viaFinished.run_id].sort());
    for (const a of got.values()) expect(a.invocation.metadata).toMatchObject({ attempt: 2, runner_id: runner.runner_id });
    expect(got.get(viaReports.run_id).run).toMatchObject({ status: 'claimed', attempt: 2, last_event_seq: 1 });

  });

  // A report names its attempt (agent-runner always does): a resend of attempt 1's report that arrives
  // after the same runner claimed attempt 2 must not start, or re-queue, attempt 2.
  it('a resend of attempt 1\'s report does not touch attempt 2 that the same runner claimed since', async () => {
    const runner = await registerRunner(api);
    const { session_id, run_id } = await claimedSession(runner);
    const attempt1 = { run_id, attempt: 1, started: {}, events: [log(1)], finished: { kind: 'infra_failed', message: 'runner error: blueprint unavailable' } };
    expect((await report(runner, [attempt1])).body).toEqual({ results: [{ run_id, status: 'queued', accepted: 1, duplicates: 0 }] });
    // The runner never saw that answer; meanwhile its long-poll claims the retry.
    const retry = await poll(runner, { timeout_ms: 20_000 });
    expect(retry.run).toMatchObject({ run_id, status: 'claimed', attempt: 2 });
    const eventsBefore = await eventsOf(session_id);

    const resent = await report(runner, [attempt1]);
    expect(resent.body).toEqual({
      results: [{ run_id, status: 'claimed', skipped: `attempt 1 of run ${run_id} is over (it is on attempt 2)` }],
    });
    expect(await getRun(run_id)).toMatchObject({ status: 'claimed', attempt: 2, runner_id: runner.runner_id });
    expect(await eventsOf(session_id)).toEqual(eventsBefore);

    // An attempt that does not exist yet is refused in its result; a malformed one is a 400.
    const ahead = await report(runner, [{ run_id, attempt: 3, started: {} }]);
    expect(ahead.body.results).toEqual([
      { run_id, error: { status: 409, code: 'conflict', message: `run ${run_id} has no attempt 3 (it is on attempt 2)`, details: { run: run_id, attempt: 2 } } },
    ]);
    for (const attempt of [0, '2', 1.5]) {
      const bad = await report(runner, [{ run_id, attempt, started: {} }]);
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(/reports\[0\]\.attempt: /);
    }
    // Attempt 2 goes on normally.
    expect((await report(runner, [{ run_id, attempt: 2, started: {}, finished: succeeded() }])).body.results).toEqual([{ run_id, status: 'succeeded' }]);
    expect(await getRun(run_id)).toMatchObject({ status: 'succeeded', attempt: 2 });
  });

  it('next-run with max claims up to that many distinct runs: 3, then 2, then none', async () => {
    const runner = await registerRunner(api);
    const created = [];
    for (let i = 0; i < 5; i++) created.push(await createSession('test', `p${i}`));
    const allRunIds = created.map((c) => c.run_id);

    const first = await poll(runner, { timeout_ms: 0, max: 3 });
    expect(Object.keys(first).sort()).toEqual(['invocation', 'run', 'runs', 'session', 'stop']);
    expect(first.stop).toEqual([]);
    expect(first.runs).toHaveLength(3);
    expect(first.run).toEqual(first.runs[0].run);
    expect(first.session).toEqual(first.runs[0].session);
    expect(first.invocation).toEqual(first.runs[0].invocation);
    for (const a of first.runs) {
      expect(a.run).toMatchObject({ status: 'claimed', runner_id: runner.runner_id, attempt: 1 });
      // A session shows `queued` until its run started.
      // The session names its runner once the run starts, not at the claim (which writes no session row).
      expect(a.session).toMatchObject({ session_id: a.run.session_id, status: 'queued', runner_id: null, last_run_id: a.run.run_id });
      expect(a.invocation).toMatchObject({
        mode: 'start', session_id: a.run.session_id, prompt: a.run.prompt, executor: 'test',
        metadata: { run_id: a.run.run_id, runner_id: runner.runner_id, attempt: 1, executor_session_id: null },
      });
    }
    const firstIds = first.runs.map((a) => a.run.run_id);
    expect(new Set(firstIds).size).toBe(3);

    const second = await poll(runner, { timeout_ms: 0, max: 3 });
    expect(second.runs).toHaveLength(2);
    expect(second.run).toEqual(second.runs[0].run);
    const secondIds = second.runs.map((a) => a.run.run_id);
    expect([...firstIds, ...secondIds].sort()).toEqual([...allRunIds].sort());
    // With one runner and equal priorities the oldest are claimed first.
    expect([...firstIds].sort()).toEqual(allRunIds.slice(0, 3).sort());

    expect(await poll(runner, { timeout_ms: 0, max: 3 })).toEqual({ run: null, runs: [], stop: [] });
    expect(await poll(runner, { timeout_ms: 0 })).toEqual({ run: null, runs: [], stop: [] });
    for (const { run_id } of created) expect(await getRun(run_id)).toMatchObject({ status: 'claimed', runner_id: runner.runner_id });

    // All five are reported in one request.
    const res = await report(runner, allRunIds.map((run_id, i) => ({ run_id, started: {}, events: [log(1, `r${i}`)], finished: succeeded() })));
    expect(res.body).toEqual({ results: allRunIds.map((run_id) => ({ run_id, status: 'succeeded', accepted: 1, duplicates: 0 })) });
  });

  it('next-run without max claims one run, still listed in runs', async () => {
    const runner = await registerRunner(api);
    const a = await createSession();
    await createSession();
    const res = await poll(runner, { timeout_ms: 0 });
    expect(res.runs).toHaveLength(1);
    expect(res.run).toMatchObject({ run_id: a.run_id, status: 'claimed' });
    expect(res.runs[0]).toEqual({ run: res.run, session: res.session, invocation: res.invocation });
    // An empty body is accepted too (max 1, default poll timeout not reached: a run is waiting).
    const empty = await api('POST', `/v1/runners/${runner.runner_id}/next-run`, undefined, runner.token);
    expect(empty.status).toBe(200);
    expect(empty.body.runs).toHaveLength(1);
  });

  it('next-run refuses a bad max with 400 naming it', async () => {
    const runner = await registerRunner(api);
    await createSession();
    for (const max of [0, 65, 1.5, '2', null]) {
      const res = await api('POST', `/v1/runners/${runner.runner_id}/next-run`, { timeout_ms: 0, max }, runner.token);
      expect(res.status, `max ${JSON.stringify(max)}`).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
      expect(res.body.error.message).toMatch(/^invalid body: max: /);
      expect(res.body.error.details.issues.map((i: any) => i.path)).toEqual(['max']);
    }
    expect((await api('POST', `/v1/runners/${runner.runner_id}/next-run`, { timeout_ms: 0, max: 64 }, runner.token)).body.runs).toHaveLength(1);
  });

  describe('malformed bodies are refused whole with 400 naming the field', () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => log(i + 1));
    const cases: Array<[string, (runId: string) => unknown, string, string]> = [
      ['duplicate run_id', (id) => [{ run_id: id, started: {} }, { run_id: id, finished: succeeded() }], 'reports[1].run_id', 'has more than one report'],
      ['empty reports', () => [], 'reports', 'at least one report'],
      ['a report with none of started/events/finished', (id) => [{ run_id: id }], 'reports[0]', 'at least one of started, events, finished'],
      ['a missing run_id', () => [{ started: {} }], 'reports[0].run_id', 'is required'],
      ['an empty run_id', () => [{ run_id: '', started: {} }], 'reports[0].run_id', 'must not be empty'],
      ['non-increasing seq', (id) => [{ run_id: id, events: [log(2), log(2)] }], 'reports[0].events[1].seq', 'seq must increase strictly'],
      ['decreasing seq', (id) => [{ run_id: id, events: [log(3), log(1)] }], 'reports[0].events[1].seq', 'seq must increase strictly'],
      ['seq 0', (id) => [{ run_id: id, events: [log(0)] }], 'reports[0].events[0].seq', 'seq must be 1 or more'],
      ['an empty events list', (id) => [{ run_id: id, events: [] }], 'reports[0].events', 'at least one event'],
      ['more than 1000 events in one report', (id) => [{ run_id: id, events: many(1001) }], 'reports[0].events', 'at most 1000 events'],
      ['more than 1000 events in total', (id) => [{ run_id: id, events: many(600) }, { run_id: 'run_other', events: many(401) }], 'reports', 'at most 1000 events per request (got 1001)'],
      ['an unknown event type', (id) => [{ run_id: id, events: [{ seq: 1, event: { type: 'nope' } }] }], 'reports[0].events[0].event.type', ''],
      ['an event missing its fields', (id) => [{ run_id: id, events: [{ seq: 1, event: { type: 'message', role: 'assistant' } }] }], 'reports[0].events[0].event.text', 'is required'],
      ['a bad outcome kind', (id) => [{ run_id: id, finished: { kind: 'great', message: 'x' } }], 'reports[0].finished.kind', 'kind must be one of'],
      ['an outcome without message', (id) => [{ run_id: id, finished: { kind: 'succeeded' } }], 'reports[0].finished.message', 'is required'],
      ['a bad pid', (id) => [{ run_id: id, started: { pid: 'x' } }], 'reports[0].started.pid', ''],
      ['a start time that is not a date-time', (id) => [{ run_id: id, started: { at: 'yesterday' } }], 'reports[0].started.at', 'started.at must be an ISO 8601 date-time'],
      ['a start time without a zone', (id) => [{ run_id: id, started: { at: '2026-12-03T08:00:00' } }], 'reports[0].started.at', 'started.at must be an ISO 8601 date-time'],
      ['a start time as a number', (id) => [{ run_id: id, started: { at: 1764748800000 } }], 'reports[0].started.at', ''],
      ['an unknown key in a report', (id) => [{ run_id: id, started: {}, bogus: 1 }], 'reports[0]', 'Unrecognized key: "bogus"'],
      ['an unknown key in an event', (id) => [{ run_id: id, events: [{ ...log(1), extra: 2 }] }], 'reports[0].events[0]', 'Unrecognized key: "extra"'],
      ['reports not an array', () => 5, 'reports', 'expected array, received number'],
      // Usage figures that could corrupt the totals (huge ones are counted at a per-run limit: usage-api.test.ts).
      ['negative tokens', (id) => [{ run_id: id, events: [{ seq: 1, event: { type: 'usage', input_tokens: -5 } }] }], 'reports[0].events[0].event.input_tokens', ''],
      ['tokens as a string', (id) => [{ run_id: id, events: [{ seq: 1, event: { type: 'usage', output_tokens: 'NaN' } }] }], 'reports[0].events[0].event.output_tokens', ''],
      ['fractional tokens', (id) => [{ run_id: id, events: [{ seq: 1, event: { type: 'usage', cache_read_input_tokens: 1.5 } }] }], 'reports[0].events[0].event.cache_read_input_tokens', ''],
      ['unsafe-integer tokens', (id) => [{ run_id: id, events: [{ seq: 1, event: { type: 'usage', input_tokens: 2 ** 60 } }] }], 'reports[0].events[0].event.input_tokens', ''],
      ['a negative cost', (id) => [{ run_id: id, events: [{ seq: 1, event: { type: 'usage', cost_usd: -0.01 } }] }], 'reports[0].events[0].event.cost_usd', ''],
      ['a cost as a string', (id) => [{ run_id: id, events: [{ seq: 1, event: { type: 'usage', cost_usd: 'Infinity' } }] }], 'reports[0].events[0].event.cost_usd', ''],
    ];

    it.each(cases)('%s', async (_name, build, path, reason) => {
      const runner = await registerRunner(api);
      const { session_id, run_id } = await claimedSession(runner);
      const res = await report(runner, build(run_id));
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
      // `<path>: <reason>`, the reason in the same issue (issues are separated by `; `).
      expect(res.body.error.message).toMatch(new RegExp(`(^invalid body: |; )${escapeRegExp(path)}: [^;]*${escapeRegExp(reason)}`));
      expect(res.body.error.details.issues.map((i: any) => i.path)).toContain(path);
      // Nothing of the request was applied.
      expect(await getRun(run_id)).toMatchObject({ status: 'claimed', last_event_seq: 0 });
      expect(await eventsOf(session_id)).toEqual([[1, -1, 'run_status', 'queued#1'], [2, -2, 'run_status', 'claimed#1']]);
    });

    it('exactly 1000 events in total is accepted', async () => {
      const runner = await registerRunner(api);
      const { run_id } = await claimedSession(runner);
      const res = await report(runner, [{ run_id, started: {}, events: many(600) }, { run_id: 'run_other', events: many(400) }]);
      expect(res.status).toBe(200);
      expect(res.body.results.map((r: any) => r.status ?? r.error.status)).toEqual(['running', 404]);
      expect(res.body.results[0]).toEqual({ run_id, status: 'running', accepted: 600, duplicates: 0 });
    });

    it('unknown top-level keys, a missing reports field, invalid JSON', async () => {
      const runner = await registerRunner(api);
      const { run_id } = await claimedSession(runner);
      const url = `/v1/runners/${runner.runner_id}/reports`;
      const extra = await api('POST', url, { reports: [{ run_id, started: {} }], extra: 1 }, runner.token);
      expect(extra).toMatchObject({ status: 400, body: { error: { code: 'invalid_request' } } });
      expect(extra.body.error.message).toContain('Unrecognized key: "extra"');
      const missing = await api('POST', url, {}, runner.token);
      expect(missing).toMatchObject({ status: 400, body: { error: { code: 'invalid_request' } } });
      expect(missing.body.error.message).toContain('reports: is required');
      expect(await api('POST', url, '{nope', runner.token)).toMatchObject({ status: 400, body: { error: { code: 'invalid_json' } } });
      expect((await api('POST', url, undefined, runner.token)).status).toBe(400);
      expect((await getRun(run_id)).status).toBe('claimed');
    });
  });

  it('auth: a wrong token is 401, another runner\'s id in the path is 403, as on the other runner routes', async () => {
    const a = await registerRunner(api);
    const b = await registerRunner(api);
    const { session_id, run_id } = await claimedSession(a);
    const body = [{ run_id, started: {}, events: [log(1)], finished: succeeded() }];

    for (const token of [undefined, 'rnr_x.bad', `${a.runner_id}.wrong`, 'garbage']) {
      const res = await api('POST', `/v1/runners/${a.runner_id}/reports`, { reports: body }, token);
      expect(res.status, `token ${token}`).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
      // The per-run routes and the long-poll answer the same.
      expect((await api('POST', `/v1/runs/${run_id}/started`, {}, token)).status).toBe(401);
      expect((await api('POST', `/v1/runners/${a.runner_id}/next-run`, { timeout_ms: 0 }, token)).status).toBe(401);
    }
    // Authentication comes before validation: a malformed body with a bad token is still a 401.
    expect((await api('POST', `/v1/runners/${a.runner_id}/reports`, { reports: [] }, 'rnr_x.bad')).status).toBe(401);

    const crossed = await report(b, body, b.token, a.runner_id);
    expect(crossed).toMatchObject({
      status: 403,
      body: { error: { code: 'forbidden', message: `this token belongs to runner ${b.runner_id}, not ${a.runner_id}`, details: { runner: a.runner_id } } },
    });
    // Even A's own run, reported with A's token, is refused under B's id.
    expect((await report(a, body, a.token, b.runner_id)).status).toBe(403);
    expect((await api('POST', `/v1/runners/${a.runner_id}/heartbeat`, {}, b.token)).status).toBe(403);
    expect((await api('POST', `/v1/runners/${a.runner_id}/next-run`, { timeout_ms: 0 }, b.token)).status).toBe(403);

    expect(await getRun(run_id)).toMatchObject({ status: 'claimed', runner_id: a.runner_id, last_event_seq: 0 });
    expect(await eventsOf(session_id)).toEqual([[1, -1, 'run_status', 'queued#1'], [2, -2, 'run_status', 'claimed#1']]);

    // A deregistered runner's token no longer works.
    expect((await api('DELETE', `/v1/runners/${b.runner_id}`, undefined, b.token)).status).toBe(204);
    expect((await report(b, [{ run_id, started: {} }])).status).toBe(401);
    // A's report goes through.
    expect((await report(a, body)).body).toEqual({ results: [{ run_id, status: 'succeeded', accepted: 1, duplicates: 0 }] });
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
