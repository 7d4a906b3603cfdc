// POST /v1/mentions (the console's Chat): a message addressed by @mention starts one session per agent
// mentioned, with the message's prompt; an unknown name refuses the whole message with suggestions and
// starts nothing. Over real HTTP on both stores, with malformed and hostile input.
import { afterEach, describe, expect, it } from 'vitest';
import { apiClient, startTestCoordinator, STORE_KINDS } from './helpers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe.each(STORE_KINDS)('POST /v1/mentions (%s)', (kind) => {
  const start = async (options: { apiToken?: string } = {}) => {
    const t = await startTestCoordinator(kind, options);
    cleanups.push(t.stop);
    const api = apiClient(t.url, options.apiToken);
    for (const name of ['reviewer', 'tester', 'writer']) expect((await api('PUT', `/v1/agents/${name}`, { executor: 'nobody', tags: [] })).status).toBe(201);
    const count = async () => (await api('GET', '/v1/sessions')).body.sessions.length as number;
    return { url: t.url, api, count };
  };

  it('starts a session of each agent mentioned, with the prompt without the opening mentions', async () => {
    const { api } = await start();
    const one = await api('POST', '/v1/mentions', { message: '@reviewer look at the last commit' });
    expect(one.status).toBe(201);
    expect(one.body).toMatchObject({ prompt: 'look at the last commit', sessions: [{ agent: 'reviewer', status: 'queued' }], errors: [] });
    const session = await api('GET', `/v1/sessions/${one.body.sessions[0].session_id}`);
    expect(session.body).toMatchObject({ agent: 'reviewer', executor: 'nobody', prompt: 'look at the last commit', parent_session_id: null });

    const fan = await api('POST', '/v1/mentions', { message: '@tester, @writer: do X and tell @reviewer' });
    expect(fan.status).toBe(201);
    expect(fan.body.prompt).toBe('do X and tell @reviewer');
    expect(fan.body.sessions.map((s: { agent: string }) => s.agent)).toEqual(['tester', 'writer', 'reviewer']);
    expect(new Set(fan.body.sessions.map((s: { session_id: string }) => s.session_id)).size).toBe(3);
    const listed = await api('GET', '/v1/sessions?q=do%20X');
    expect(listed.body.sessions.map((s: { agent: string }) => s.agent).sort()).toEqual(['reviewer', 'tester', 'writer']);
  });

  it('refuses an unknown name with the closest known one, and starts nothing', async () => {
    const { api, count } = await start();
    const res = await api('POST', '/v1/mentions', { message: '@reviewer @tetser @zzzzzz review' });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('invalid_request');
    expect(res.body.error.details.issues).toEqual([
      { path: 'message', message: 'no agent named "tetser" (did you mean "tester"?)' },
      { path: 'message', message: 'no agent named "zzzzzz"' },
    ]);
    expect(res.body.error.details.unknown_agents).toEqual([
      { name: 'tetser', suggestion: 'tester' },
      { name: 'zzzzzz', suggestion: null },
    ]);
    expect(res.body.error.message).toContain('nothing was started');
    expect(await count()).toBe(0);
  });

  it('refuses a message without a mention, or with nothing to do, naming the field', async () => {
    const { api, count } = await start();
    const cases: Array<[unknown, number, string]> = [
      [{ message: 'look at the last commit' }, 422, 'mention an agent (@name)'],
      [{ message: 'mail a@b.c' }, 422, 'mention an agent (@name)'],
      [{ message: '@reviewer @tester' }, 422, 'say what @reviewer @tester should do after the mentions'],
      [{ message: '@reviewer   ' }, 422, 'say what @reviewer should do after the mention'],
      [{ message: Array.from({ length: 21 }, (_, i) => `@a${i}`).join(' ') + ' go' }, 422, 'at most 20 agents in one message (21 mentioned)'],
      [{ message: '' }, 400, 'message must not be empty'],
      [{ message: 'x'.repeat(2_000_000) }, 400, ''],
      [{ message: 42 }, 400, ''],
      [{}, 400, ''],
      [{ message: '@reviewer hi', agent: 'x' }, 400, ''],
    ];
    for (const [body, status, message] of cases) {
      const res = await api('POST', '/v1/mentions', body);
      const what = JSON.stringify(body).slice(0, 60);
      expect(res.status, what).toBe(status);
      if (status === 422 || message !== '') expect(res.body.error.details.issues[0], what).toMatchObject({ path: 'message', ...(message === '' ? {} : { message }) });
    }
    const unknownField = await api('POST', '/v1/mentions', { message: '@reviewer hi', agent: 'x' });
    expect(JSON.stringify(unknownField.body.error)).toContain('agent');
    expect((await api('POST', '/v1/mentions', 'not json')).status).toBe(400);
    expect(await count()).toBe(0);
  });

  it('keeps hostile text as data: the prompt is stored as sent', async () => {
    const { api } = await start();
    const hostile = `@writer <img src=x onerror=alert(1)><script>alert(2)</script> '; DROP TABLE sessions; --`;
    const res = await api('POST', '/v1/mentions', { message: hostile });
    expect(res.status).toBe(201);
    const session = await api('GET', `/v1/sessions/${res.body.sessions[0].session_id}`);
    expect(session.body.prompt).toBe(hostile.slice('@writer '.length));
  });

  it('needs the API token like every /v1 call', async () => {
    const { url, api, count } = await start({ apiToken: 'tok-mentions-0123456789' });
    const res = await fetch(`${url}/v1/mentions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: '@reviewer hi' }) });
    expect(res.status).toBe(401);
    expect(await count()).toBe(0);
    // With it, the sessions start (each through POST /v1/sessions in process, with the token).
    expect((await api('POST', '/v1/mentions', { message: '@reviewer hi' })).status).toBe(201);
    expect(await count()).toBe(1);
    // The chat page and its fragments are behind the console's login too (they read the API with the token).
    for (const path of ['/chat', `/chat/turn?sessions=${(await api('GET', '/v1/sessions')).body.sessions[0].session_id}`, '/sessions', '/sessions?fragment=body']) {
      const page = await fetch(`${url}${path}`, { redirect: 'manual' });
      expect(page.status, path).toBe(303);
      expect(page.headers.get('location'), path).toMatch(/^\/login\?next=/);
    }
  });
});
