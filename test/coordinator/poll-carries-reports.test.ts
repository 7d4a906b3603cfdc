import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NEXT_POLL_HOLD_MS } from '../../coordinator/http/routes/next-run.js';
import { type Api, eventually, registerRunner, startTestCoordinator, STORE_KINDS } from './helpers.js';

/**
 * `POST /v1/runners/:id/next-run` carrying `reports` (what `/reports` takes), over real HTTP on both
 * stores: applied as the poll arrives, their results in its answer, refused whole when malformed; and
 * `next_poll_hold_ms` when another runner's poll waits that can take what this one can.
 */

type Runner = { runner_id: string; token: string };

const message = (seq: number, text: string) => ({ seq, event: { type: 'message', role: 'assistant', text } });
const succeeded = { kind: 'succeeded', message: 'succeeded', exit_code: 0 };

describe.each(STORE_KINDS)('a long-poll that carries reports (%s)', (kind) => {
  let t: Awaited<ReturnType<typeof startTestCoordinator>> | undefined;
  let api: Api;

  beforeEach(async () => {
    t = await startTestCoordinator(kind);
    api = t.api;
  });
  afterEach(async () => {
    const running = t;
    t = undefined;
    await running?.stop();
  });

  const poll = (runner: Runner, body: Record<string, unknown>) => api('POST', `/v1/runners/${runner.runner_id}/next-run`, body, runner.token);
  const createSession = async (executor = 'test') => {
    const res = await api('POST', '/v1/sessions', { executor, prompt: 'go' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { session_id: string; run_id: string };
  };
  const claimed = async (runner: Runner) => {
    const created = await createSession();
    const res = await poll(runner, { timeout_ms: 0 });
    expect(res.body.runs.map((r: any) => r.run.run_id)).toEqual([created.run_id]);
    return created;
  };
  const getRun = async (runId: string) => (await api('GET', `/v1/runs/${runId}`)).body;
  const pollsWaiting = async () => Number(/agent_coordinator_polls_waiting (\d+)/.exec((await api('GET', '/metrics')).body as string)?.[1]);

  it('the registration says so', async () => {
    expect(await registerRunner(api)).toMatchObject({ poll_carries_reports: true });
  });

  it('applies the reports as the poll arrives, before it waits; their results come with its answer', async () => {
    const runner = await registerRunner(api);
    const { session_id, run_id } = await claimed(runner);
    const parked = poll(runner, {
      timeout_ms: 60_000,
      reports: [{ run_id, attempt: 1, started: { pid: 4242 }, events: [message(1, 'hello')], finished: succeeded }],
    });
    // The run ended while the poll still waits: its session's watchers need not wait for the answer.
    await eventually(async () => (await getRun(run_id)).status === 'succeeded');
    await eventually(async () => (await pollsWaiting()) === 1);
    expect((await api('GET', `/v1/sessions/${session_id}`)).body.status).toBe('idle');
    const next = await createSession();
    const answer = await parked;
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.runs.map((r: any) => r.run.run_id)).toEqual([next.run_id]);
    expect(answer.body.report_results).toEqual([{ run_id, status: 'succeeded', accepted: 1, duplicates: 0 }]);
    expect(await getRun(run_id)).toMatchObject({ status: 'succeeded', last_event_seq: 1 });
    const metrics = (await api('GET', '/metrics')).body as string;
    expect(metrics).toContain('agent_coordinator_run_reports_total{via="poll"} 1');
    expect(metrics).toContain('agent_coordinator_run_reports_total{via="request"} 0');
  });

  it('a report the coordinator refuses is in its result, and the poll still claims; one sent again is skipped', async () => {
    const runner = await registerRunner(api);
    const other = await registerRunner(api);
    const mine = await claimed(runner);
    const theirs = await claimed(other);
    const queued = await createSession();
    const reports = [
      { run_id: mine.run_id, attempt: 1, started: {}, events: [message(1, 'mine')], finished: succeeded },
      { run_id: theirs.run_id, attempt: 1, finished: succeeded },
      { run_id: 'run_nope', finished: succeeded },
    ];
    const res = await poll(runner, { timeout_ms: 0, request_id: 'poll-1', reports });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.runs.map((r: any) => r.run.run_id)).toEqual([queued.run_id]);
    const [ok, notOurs, unknown] = res.body.report_results;
    expect(ok).toEqual({ run_id: mine.run_id, status: 'succeeded', accepted: 1, duplicates: 0 });
    expect(notOurs).toMatchObject({ run_id: theirs.run_id, error: { status: 403 } });
    expect(unknown).toMatchObject({ run_id: 'run_nope', error: { status: 404 } });
    expect((await getRun(theirs.run_id)).status).toBe('claimed');
    // The same poll again (its answer was lost): the same run, and the reports change nothing.
    const again = await poll(runner, { timeout_ms: 0, request_id: 'poll-1', reports });
    expect(again.body.runs.map((r: any) => r.run.run_id)).toEqual([queued.run_id]);
    expect(again.body.report_results[0]).toMatchObject({ run_id: mine.run_id, status: 'succeeded' });
    expect(await getRun(mine.run_id)).toMatchObject({ status: 'succeeded', last_event_seq: 1 });
  });

  describe('malformed reports refuse the whole poll with 400 naming the field; nothing is claimed or applied', () => {
    const cases: Array<[string, (runId: string) => unknown, string, string]> = [
      ['reports not an array', () => 'all of them', 'reports', 'expected array'],
      ['empty reports', () => [], 'reports', 'at least one report'],
      ['a report with none of started/events/finished', (id) => [{ run_id: id }], 'reports[0]', 'at least one of started, events, finished'],
      ['duplicate run_id', (id) => [{ run_id: id, started: {} }, { run_id: id, finished: succeeded }], 'reports[1].run_id', 'has more than one report'],
      ['a bad outcome kind', (id) => [{ run_id: id, finished: { kind: 'great', message: 'x' } }], 'reports[0].finished.kind', 'kind must be one of'],
      ['an unknown key in a report', (id) => [{ run_id: id, started: {}, '__proto__x': 1 }], 'reports[0]', 'Unrecognized key'],
      ['an event with markup and a negative seq', (id) => [{ run_id: id, events: [{ seq: -1, event: { type: 'message', role: 'assistant', text: '<script>x</script>' } }] }], 'reports[0].events[0].seq', 'seq must be 1 or more'],
    ];
    it.each(cases)('%s', async (_name, build, path, reason) => {
      const runner = await registerRunner(api);
      const { run_id } = await claimed(runner);
      const queued = await createSession();
      const res = await poll(runner, { timeout_ms: 0, reports: build(run_id) });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
      expect(res.body.error.details.issues.map((i: any) => i.path)).toContain(path);
      expect(res.body.error.message).toContain(reason);
      expect(await getRun(run_id)).toMatchObject({ status: 'claimed', last_event_seq: 0 });
      expect((await getRun(queued.run_id)).status).toBe('queued');
    });
  });

  it(`tells a runner it may hold its next poll (${NEXT_POLL_HOLD_MS} ms) only while another runner's poll waits that can take what it can`, async () => {
    const busy = await registerRunner(api, ['test', 'other'], ['gpu']);
    const narrow = await registerRunner(api, ['test'], []);
    const wide = await registerRunner(api, ['test', 'other', 'third'], ['gpu', 'big']);
    /** busy's poll, parked after the others, takes the next run (the most recent poll that can). */
    const busyTakesOne = async (waiting: number) => {
      const parked = poll(busy, { timeout_ms: 60_000 });
      await eventually(async () => (await pollsWaiting()) === waiting + 1);
      const created = await createSession('other');
      const res = await parked;
      expect(res.body.runs.map((r: any) => r.run.run_id)).toEqual([created.run_id]);
      return res.body;
    };

    // Nobody else waits: no hold.
    expect((await busyTakesOne(0)).next_poll_hold_ms).toBeUndefined();
    // A poll waits that lacks one of its executors and its tag: it cannot take all busy can; no hold.
    const narrowPoll = poll(narrow, { timeout_ms: 60_000 });
    await eventually(async () => (await pollsWaiting()) === 1);
    expect((await busyTakesOne(1)).next_poll_hold_ms).toBeUndefined();
    // One waits that offers all its executors and tags, and more: hold.
    const widePoll = poll(wide, { timeout_ms: 60_000 });
    await eventually(async () => (await pollsWaiting()) === 2);
    expect((await busyTakesOne(2)).next_poll_hold_ms).toBe(NEXT_POLL_HOLD_MS);

    // The waiting polls take the next runs, the most recent first.
    const forWide = await createSession('test');
    expect((await widePoll).body.runs.map((r: any) => r.run.run_id)).toEqual([forWide.run_id]);
    const forNarrow = await createSession('test');
    expect((await narrowPoll).body.runs.map((r: any) => r.run.run_id)).toEqual([forNarrow.run_id]);
  });
});
