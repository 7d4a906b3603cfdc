// `POST /v1/sessions/:id/retry`: an ended session started again as a new one (GitHub's "re-run"), on both stores.
import { afterEach, describe, expect, it } from 'vitest';
import { startTestCoordinator, STORE_KINDS } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe.each(STORE_KINDS)('retrying a session over HTTP (%s)', (kind) => {
  const start = async () => {
    const t = await startTestCoordinator(kind);
    cleanups.push(t.stop);
    const create = async (body: Record<string, unknown>) => {
      const created = await t.api('POST', '/v1/sessions', { prompt: 'x', ...body });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      return created.body as { session_id: string; run_id: string };
    };
    return { ...t, create };
  };

  it('starts a new session asking for what the ended one asked for: agent, executor, tags, prompt, folder, parent, priority, timeout, budget', { timeout: 30_000 }, async () => {
    const { api, create } = await start();
    expect((await api('PUT', '/v1/agents/reviewer', { system_prompt: 'review', executor: 'nobody', tags: ['gpu'] })).status).toBe(201);
    const parent = await create({ executor: 'nobody', budget: { usd: 5, max_sessions: 10 } });
    const original = await create({
      agent: 'reviewer', prompt: 'look at <b>this</b>', project_dir: '/tmp/project', parent_session_id: parent.session_id,
      priority: 7, timeout_s: 120, max_attempts: 2, budget: { usd: 1 },
    });
    await api('POST', `/v1/sessions/${original.session_id}/resume`, { prompt: 'later prompt' }).then((r) => expect(r.status).toBe(409));
    expect((await api('POST', `/v1/sessions/${original.session_id}/stop`, { cascade: false })).body.status).toBe('cancelled');

    const retried = await api('POST', `/v1/sessions/${original.session_id}/retry`);
    expect(retried).toMatchObject({ status: 201, body: { status: 'queued', retry_of: original.session_id } });
    const { session_id, run_id } = retried.body as { session_id: string; run_id: string };
    expect(session_id).not.toBe(original.session_id);
    const view = (await api('GET', `/v1/sessions/${session_id}`)).body;
    expect(view).toMatchObject({
      agent: 'reviewer', executor: 'nobody', tags: ['gpu'], prompt: 'look at <b>this</b>', project_dir: '/tmp/project',
      parent_session_id: parent.session_id, root_session_id: parent.session_id, depth: 1, priority: 7, timeout_s: 120, budget: { usd: 1 }, status: 'queued',
    });
    const run = (await api('GET', `/v1/runs/${run_id}`)).body;
    expect(run).toMatchObject({ session_id, mode: 'start', prompt: 'look at <b>this</b>', max_attempts: 2, attempt: 1 });
    // The parent counts it as one more child; the original is untouched.
    expect((await api('GET', `/v1/sessions/${parent.session_id}`)).body.children_count).toBe(2);
    expect((await api('GET', `/v1/sessions/${original.session_id}`)).body.status).toBe('cancelled');
    // An empty object is a body too; the retry of a retry is a third session.
    const again = await api('POST', `/v1/sessions/${original.session_id}/retry`, {});
    expect(again.status).toBe(201);
    expect(again.body.session_id).not.toBe(session_id);
  });

  it('refuses a session in flight (409, saying its status), an unknown or malformed id (404), and any body field (400 naming it)', { timeout: 30_000 }, async () => {
    const { api, create } = await start();
    const queued = await create({ executor: 'nobody' });
    const busy = await api('POST', `/v1/sessions/${queued.session_id}/retry`);
    expect(busy).toMatchObject({ status: 409, body: { error: { code: 'conflict', details: { status: 'queued' } } } });
    expect(busy.body.error.message).toContain('is queued');

    const unknown = await api('POST', '/v1/sessions/ses_nothere/retry');
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    expect(unknown.body.error.message).toContain('ses_nothere');
    const hostile = await api('POST', `/v1/sessions/${encodeURIComponent('<img src=x onerror=alert(1)>')}/retry`);
    expect(hostile.status).toBe(404);
    expect(hostile.headers.get('content-type')).toContain('application/json');
    expect((await api('POST', '/v1/sessions/ses%00x/retry')).status).toBe(400);

    await api('POST', `/v1/sessions/${queued.session_id}/stop`);
    const extra = await api('POST', `/v1/sessions/${queued.session_id}/retry`, { prompt: 'other' });
    // A strict body: the unknown key is named in the message (zod reports it on the document itself).
    expect(extra).toMatchObject({ status: 400, body: { error: { code: 'invalid_request' } } });
    expect(extra.body.error.message).toContain('prompt');
    expect((await api('POST', `/v1/sessions/${queued.session_id}/retry`, '{not json')).status).toBe(400);
    expect((await api('POST', `/v1/sessions/${queued.session_id}/retry`, '[]')).status).toBe(400);
    // Nothing was created by the refused requests.
    expect((await api('GET', '/v1/sessions')).body.sessions).toHaveLength(1);
  });

  it('refuses a session whose agent was deleted since, naming agent with a suggestion', { timeout: 30_000 }, async () => {
    const { api, create } = await start();
    await api('PUT', '/v1/agents/writer', { system_prompt: 'w', executor: 'nobody' });
    await api('PUT', '/v1/agents/writers', { system_prompt: 'w', executor: 'nobody' });
    const s = await create({ agent: 'writer' });
    await api('POST', `/v1/sessions/${s.session_id}/stop`);
    expect((await api('DELETE', '/v1/agents/writer')).status).toBeLessThan(300);
    const gone = await api('POST', `/v1/sessions/${s.session_id}/retry`);
    expect(gone).toMatchObject({ status: 422, body: { error: { details: { issues: [{ path: 'agent' }] } } } });
    expect(gone.body.error.message).toContain('writers');
  });
});
