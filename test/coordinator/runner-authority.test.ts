import { afterEach, describe, expect, it } from 'vitest';
import { apiClient, registerRunner, startTestCoordinator, STORE_KINDS } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe.each(STORE_KINDS)('a runner is not a user (%s)', (kind) => {
  it('refuses a runner token on every user route with 403, and takes the API token there and at registration', async () => {
    const t = await startTestCoordinator(kind, { apiToken: 'sekret' });
    cleanups.push(t.stop);
    const user = apiClient(t.url, 'sekret');
    const runner = await registerRunner(user, ['x']);
    const asRunner = apiClient(t.url, runner.token);
    const { session_id, run_id } = (await user('POST', '/v1/sessions', { prompt: 'hi', executor: 'x' })).body;
    const userRoutes: Array<[string, string, unknown?]> = [
      ['GET', '/v1/sessions'],
      ['POST', '/v1/sessions', { prompt: 'as a runner', executor: 'x' }],
      ['GET', `/v1/sessions/${session_id}`],
      ['GET', `/v1/sessions/${session_id}/events`],
      ['GET', `/v1/sessions/${session_id}/runs`],
      ['POST', `/v1/sessions/${session_id}/resume`, { prompt: 'again' }],
      ['POST', `/v1/sessions/${session_id}/stop`, {}],
      ['DELETE', `/v1/sessions/${session_id}`],
      ['POST', '/v1/sessions/prune', { older_than_s: 0 }],
      ['GET', '/v1/status'],
      ['GET', '/v1/runs'],
      ['GET', `/v1/runs/${run_id}`],
      ['GET', '/v1/agents'],
      ['PUT', '/v1/agents/writer', { name: 'writer', executor: 'x' }],
      ['DELETE', '/v1/agents/writer'],
      ['GET', '/v1/runners'],
      ['POST', '/v1/runners', { executors: ['x'] }],
    ];
    for (const [method, path, body] of userRoutes) {
      const answer = await asRunner(method, path, body);
      expect({ method, path, status: answer.status, code: answer.body?.error?.code }).toEqual({ method, path, status: 403, code: 'forbidden' });
      expect(answer.body.error.message).toMatch(/runner routes only.*API token/);
    }
    // Nothing the runner asked for happened: the session is still there with one queued run.
    expect((await user('GET', `/v1/sessions/${session_id}`)).body).toMatchObject({ session_id, status: 'queued' });
    expect((await user('GET', '/v1/sessions')).body.sessions).toHaveLength(1);
    // A token that only looks like a runner's is a plain 401.
    expect((await apiClient(t.url, 'rnr_x.forged')('GET', '/v1/sessions')).status).toBe(401);
    // The API token works on the user routes and still registers runners; the runner token still works on its own routes.
    expect((await user('PUT', '/v1/agents/writer', { name: 'writer', executor: 'x' })).status).toBe(201);
    expect((await user('GET', '/v1/runners')).status).toBe(200);
    expect((await registerRunner(user, ['x'])).token).toMatch(/^rnr_/);
    expect((await asRunner('POST', `/v1/runners/${runner.runner_id}/heartbeat`, {})).status).toBe(200);
    expect((await asRunner('POST', `/v1/runners/${runner.runner_id}/next-run`, { timeout_ms: 0 })).body.run).toMatchObject({ run_id });
  });
});
