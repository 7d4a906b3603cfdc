import { afterEach, describe, expect, it } from 'vitest';
import { UserApi } from '../../lib/client/user-api.js';
import { CoordinatorError } from '../../lib/client/coordinator-error.js';
import { MAX_BATCH_SESSIONS } from '../../protocol/limits.js';
import { SessionsStartedSchema, SessionViewSchema } from '../../protocol/sessions.js';
import { type Api, pollRun, registerRunner, startTestCoordinator, STORE_KINDS } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** Every session the coordinator has, oldest first. */
async function allSessions(api: Api): Promise<any[]> {
  const page = await api('GET', '/v1/sessions?limit=1000');
  expect(page.status).toBe(200);
  return page.body.sessions.reverse();
}

describe.each(STORE_KINDS)('POST /v1/sessions/batch: many sessions in one request, all or none (%s)', (kind) => {
  const start = async (options: Parameters<typeof startTestCoordinator>[1] = {}) => {
    const t = await startTestCoordinator(kind, { defaultExecutor: 'test', ...options });
    cleanups.push(t.stop);
    return t;
  };

  it('creates each session as POST /v1/sessions would, answers in the order asked, and runners claim them in queue order', async () => {
    const { api } = await start();
    await api('PUT', '/v1/agents/writer', { system_prompt: 'be brief', tags: ['docs'], timeout_s: 60 });
    const created = await api('POST', '/v1/sessions/batch', {
      sessions: [
        { prompt: 'first' },
        { prompt: 'second', agent: 'writer' },
        { prompt: 'third', priority: 5, executor: 'other', tags: ['gpu'] },
        { prompt: 'fourth', agent: 'writer', timeout_s: 5 },
      ],
    });
    expect(created.status).toBe(201);
    expect(SessionsStartedSchema.parse(created.body).sessions).toHaveLength(4);
    const ids = created.body.sessions.map((s: any) => s.session_id);
    expect(new Set(ids).size).toBe(4);
    for (const s of created.body.sessions) expect(s).toMatchObject({ session_id: expect.stringMatching(/^ses_/), run_id: expect.stringMatching(/^run_/), status: 'queued' });
    const views = await Promise.all(ids.map(async (id: string) => SessionViewSchema.parse((await api('GET', `/v1/sessions/${id}`)).body)));
    expect(views.map((v) => [v.prompt, v.agent, v.executor, v.tags, v.timeout_s, v.priority])).toEqual([
      ['first', null, 'test', [], null, 0],
      ['second', 'writer', 'test', ['docs'], 60, 0],
      ['third', null, 'other', ['gpu'], null, 5],
      ['fourth', 'writer', 'test', ['docs'], 5, 0],
    ]);
    // Each session's run has its `queued` event, as a single create gives it.
    const events = await api('GET', `/v1/sessions/${ids[1]}/events?after=0`);
    expect(events.body.events.map((e: any) => [e.type, e.event.status, e.run_id])).toEqual([['run_status', 'queued', created.body.sessions[1].run_id]]);
    // The queue: priority first, then the order they were asked in.
    const runner = await registerRunner(api, ['test', 'other'], ['gpu', 'docs']);
    const claimed = [];
    for (let i = 0; i < 4; i++) claimed.push((await pollRun(api, runner)).run.session_id);
    expect(claimed).toEqual([ids[2], ids[0], ids[1], ids[3]]);
  });

  it('a full batch (1,000, written in several multi-row INSERTs) keeps its order, and each run has its one queued event', async () => {
    const { api } = await start();
    const prompts = Array.from({ length: MAX_BATCH_SESSIONS }, (_, i) => `prompt ${i}`);
    const created = await api('POST', '/v1/sessions/batch', { sessions: prompts.map((prompt, i) => ({ prompt, priority: i % 3 })) });
    expect(created.status).toBe(201);
    const listed = await allSessions(api);
    expect(listed.map((s) => s.session_id)).toEqual(created.body.sessions.map((s: any) => s.session_id));
    expect(listed.map((s) => [s.prompt, s.priority, s.last_run_id])).toEqual(prompts.map((prompt, i) => [prompt, i % 3, created.body.sessions[i].run_id]));
    for (const i of [0, 255, 256, 999]) {
      const events = (await api('GET', `/v1/sessions/${created.body.sessions[i].session_id}/events?after=0`)).body.events;
      expect(events.map((e: any) => [e.seq, e.run_seq, e.event.status, e.run_id])).toEqual([[1, -1, 'queued', created.body.sessions[i].run_id]]);
    }
    // The queue takes them by priority, then in the order asked.
    const runner = await registerRunner(api, ['test']);
    const first = await api('POST', `/v1/runners/${runner.runner_id}/next-run`, { timeout_ms: 0, max: 4 }, runner.token);
    expect(first.body.runs.map((r: any) => r.run.session_id)).toEqual([2, 5, 8, 11].map((i) => created.body.sessions[i].session_id));
  }, 60_000);

  it('refuses a malformed item naming it and its field, and creates none of the batch', async () => {
    const { api } = await start();
    await api('POST', '/v1/sessions', { prompt: 'already there' });
    const refused = async (body: unknown, field: string, status = 400) => {
      const res = await api('POST', '/v1/sessions/batch', body);
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      expect(res.body.error.message).toContain(field);
      return res.body.error;
    };
    const missing = await refused({ sessions: [{ prompt: 'fine' }, { executor: 'test' }] }, 'sessions[1].prompt');
    expect(missing.details.issues[0].path).toBe('sessions[1].prompt');
    await refused({ sessions: [{ prompt: 'fine' }, { prompt: 'x', priority: 'high' }] }, 'sessions[1].priority');
    await refused({ sessions: [{ prompt: 'x', exectuor: 'test' }] }, 'sessions[0]: Unrecognized key: "exectuor"');
    await refused({ sessions: [] }, 'sessions');
    await refused({ sessions: 'all of them' }, 'sessions');
    await refused({ session: [{ prompt: 'x' }] }, 'session');
    await refused({}, 'sessions');
    await refused([{ prompt: 'x' }], 'body');
    await refused({ sessions: [null] }, 'sessions[0]');
    await refused({ sessions: Array.from({ length: MAX_BATCH_SESSIONS + 1 }, () => ({ prompt: 'x' })) }, 'sessions');
    expect((await api('POST', '/v1/sessions/batch', '{"sessions": [')).body.error.code).toBe('invalid_json');
    // Refusals found while resolving an item (not by the schema): 422, naming the item.
    await api('PUT', '/v1/agents/writer', { system_prompt: 'x' });
    const agent = await refused({ sessions: [{ prompt: 'a' }, { prompt: 'b', agent: 'writter' }] }, 'sessions[1].agent: no agent named "writter" (did you mean "writer"?)', 422);
    expect(agent.details.issues[0].path).toBe('sessions[1].agent');
    await refused({ sessions: [{ prompt: 'a' }, { prompt: 'b' }, { prompt: 'c', parent_session_id: 'ses_nope' }] }, 'sessions[2].parent_session_id: no session ses_nope', 422);
    await refused({ sessions: [{ prompt: 'a', callback_session_id: 'ses_gone' }] }, 'sessions[0].callback_session_id', 422);
    expect((await allSessions(api)).map((s) => s.prompt)).toEqual(['already there']);
  });

  it("rolls the whole batch back when the store refuses an item (its parent's budget), naming the item", async () => {
    const { api } = await start();
    const parent = (await api('POST', '/v1/sessions', { prompt: 'parent', budget: { max_children: 2 } })).body.session_id;
    const res = await api('POST', '/v1/sessions/batch', {
      sessions: [
        { prompt: 'child 1', parent_session_id: parent },
        { prompt: 'child 2', parent_session_id: parent },
        { prompt: 'child 3', parent_session_id: parent },
      ],
    });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'budget_exceeded', details: { index: 2, limit: 'max_children' } });
    expect(res.body.error.message).toMatch(/^sessions\[2\]: /);
    // Neither the two children before it nor their count in the parent were kept.
    expect((await allSessions(api)).map((s) => s.prompt)).toEqual(['parent']);
    expect((await api('GET', `/v1/sessions/${parent}/tree`)).body.root.children).toEqual([]);
    // Within the budget, the same batch less one is taken, and counted.
    const ok = await api('POST', '/v1/sessions/batch', { sessions: [{ prompt: 'child 1', parent_session_id: parent }, { prompt: 'child 2', parent_session_id: parent }] });
    expect(ok.status).toBe(201);
    expect((await api('GET', `/v1/sessions/${parent}/tree`)).body.root.children.map((c: any) => c.session_id)).toEqual(ok.body.sessions.map((s: any) => s.session_id));
  });

  it('wakes a parked long-poll once for the lot; with --placement-timeout 0 an unserved item is failed in the answer', async () => {
    const { api } = await start({ timings: { placementTimeoutMs: 0 } });
    const runner = await registerRunner(api, ['test']);
    const parked = pollRun(api, runner, 30_000);
    const created = await api('POST', '/v1/sessions/batch', { sessions: [{ prompt: 'served' }, { prompt: 'nobody serves this', executor: 'gpu-exec' }] });
    expect(created.status).toBe(201);
    expect(created.body.sessions.map((s: any) => s.status)).toEqual(['queued', 'failed']);
    expect((await parked).run.session_id).toBe(created.body.sessions[0].session_id);
    const failed = (await api('GET', `/v1/runs/${created.body.sessions[1].run_id}`)).body;
    expect(failed).toMatchObject({ status: 'failed' });
    expect(failed.error).toContain('gpu-exec');
  });

  it('UserApi.createSessions sends one, and needs the API token like every user route', async () => {
    const { url } = await start({ apiToken: 'secret-token' });
    const denied = new UserApi(url);
    await expect(denied.createSessions([{ prompt: 'x' }])).rejects.toSatisfy((error: unknown) => error instanceof CoordinatorError && error.status === 401);
    const user = new UserApi(url, 'secret-token');
    const { sessions } = await user.createSessions([{ prompt: 'one' }, { prompt: 'two', priority: -3 }]);
    expect((await user.getSession(sessions[1]!.session_id)).priority).toBe(-3);
    expect((await user.listSessions()).sessions.map((s) => s.prompt)).toEqual(['two', 'one']);
  });
});
