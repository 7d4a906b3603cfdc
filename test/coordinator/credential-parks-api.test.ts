/**
 * The coordinator's side of credential profiles over HTTP: a runner registers profile summaries (names and
 * numbers only), hostile ones are refused naming the field; the long-poll names the chosen profile; a rate
 * limit reported over the run API parks the run, which the session, the tree and `GET /v1/status` show.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiClient, pollRun, startTestCoordinator, type Api } from './helpers.js';

describe('credential profiles and parks over HTTP (sqlite)', () => {
  let api: Api;
  let url: string;
  let stop: () => Promise<void>;
  beforeEach(async () => {
    ({ api, url, stop } = await startTestCoordinator('sqlite'));
  });
  afterEach(async () => stop());

  const register = (body: Record<string, unknown>) => api('POST', '/v1/runners', { executors: ['cc'], name: 'r', ...body });
  const profile = (extra: Record<string, unknown> = {}) => ({ name: 'A', weight: 1, models: null, executors: null, ...extra });

  it.each([
    [{ credential_profiles: [profile({ name: '' })] }, 'credential_profiles[0].name'],
    [{ credential_profiles: [profile({ name: '../etc/passwd' })] }, 'credential_profiles[0].name'],
    [{ credential_profiles: [profile({ name: 'x'.repeat(65) })] }, 'credential_profiles[0].name'],
    [{ credential_profiles: [profile({ weight: 0 })] }, 'credential_profiles[0].weight'],
    [{ credential_profiles: [profile({ weight: -3 })] }, 'credential_profiles[0].weight'],
    [{ credential_profiles: [profile({ weight: 'heavy' })] }, 'credential_profiles[0].weight'],
    [{ credential_profiles: [profile({ models: 'opus' })] }, 'credential_profiles[0].models'],
    [{ credential_profiles: [profile({ executors: [''] })] }, 'credential_profiles[0].executors[0]'],
    [{ credential_profiles: [profile({ env: { ANTHROPIC_API_KEY: 'sk-never' } })] }, 'credential_profiles[0]: Unrecognized key: "env"'],
    [{ credential_profiles: [profile(), profile()] }, 'credential_profiles'],
    [{ credential_profiles: Array.from({ length: 101 }, (_, i) => profile({ name: `p${i}` })) }, 'credential_profiles'],
    [{ credential_profiles: 'A' }, 'credential_profiles'],
    [{ default_executor: '' }, 'default_executor'],
  ])('refuses hostile registration %# with an error naming the field, never a value', async (body, field) => {
    const res = await register(body);
    expect(res.status).toBe(400);
    const text = JSON.stringify(res.body);
    expect(res.body.error.message).toContain(field);
    expect(text).not.toContain('sk-never');
  });

  it('gives a run a profile that serves the model it was routed to (a profile\'s models)', async () => {
    const reg = await register({ credential_profiles: [profile({ name: 'A', models: ['m-a'] }), profile({ name: 'B', models: ['m-b'] }), profile({ name: 'any' })], default_executor: 'cc' });
    const runner = reg.body as { runner_id: string; token: string };
    expect((await api('PUT', '/v1/agents/writer', { executor: 'cc', model: 'm-b' })).status).toBeLessThan(300);
    const given: string[] = [];
    for (let i = 0; i < 6; i++) {
      await api('POST', '/v1/sessions', { agent: 'writer', prompt: `go ${i}` });
      const claimed = await pollRun(api, runner);
      expect(claimed.run.model).toBe('m-b');
      given.push(claimed.run.credential_profile);
      await apiClient(url, runner.token)('POST', `/v1/runs/${claimed.run.run_id}/finished`, { kind: 'succeeded', message: 'ok' });
    }
    // Never A (it serves only m-a); B and the profile of any model share the runs.
    expect(given).not.toContain('A');
    expect(new Set(given)).toEqual(new Set(['B', 'any']));
    const stored = (await api('GET', '/v1/sessions?limit=10')).body.sessions as Array<{ session_id: string }>;
    expect(stored).toHaveLength(6);
  });

  it('names the chosen profile in the poll; a rate limit parks the run until its reset and every view says so', async () => {
    const reg = await register({ credential_profiles: [profile({ variables: ['ANTHROPIC_API_KEY'] })], default_executor: 'cc' });
    expect(reg.status).toBe(201);
    const runner = reg.body as { runner_id: string; token: string };
    const as = apiClient(url, runner.token);
    const { session_id } = (await api('POST', '/v1/sessions', { executor: 'cc', prompt: 'go' })).body;
    const claimed = await pollRun(api, runner);
    expect(claimed.run).toMatchObject({ credential_profile: 'A', parks: 0 });
    const runId = claimed.run.run_id;
    await as('POST', `/v1/runs/${runId}/started`, {});
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const seq = claimed.run.last_event_seq + 1;
    await as('POST', `/v1/runs/${runId}/events`, { events: [{ seq, event: { type: 'bind', executor_session_id: 'claude-1' } }, { seq: seq + 1, event: { type: 'rate_limited', scope: 'credential', retry_at: until, message: 'usage limit reached' } }] });
    expect((await as('POST', `/v1/runs/${runId}/finished`, { kind: 'infra_failed', message: 'rate limited', exit_code: 75, executor_session_id: 'claude-1' })).status).toBe(200);

    const view = (await api('GET', `/v1/sessions/${session_id}`)).body;
    expect(view.status).toBe('queued');
    expect(view.rate_limit_wait).toEqual({ until, profile: 'A', reason: 'usage limit reached', message: expect.stringMatching(/^waiting for rate limit until (\d{4}-\d\d-\d\d )?\d\d:\d\d UTC \(profile A\)$/) });
    expect(view.waiting).toMatchObject({ reason: 'rate_limit', message: view.rate_limit_wait.message });
    const tree = (await api('GET', `/v1/sessions/${session_id}/tree`)).body;
    expect(tree.root.rate_limit_wait).toBe(view.rate_limit_wait.message);
    const status = (await api('GET', '/v1/status')).body;
    expect(status.rate_limits).toEqual([{ profile: 'A', model: null, until, message: 'usage limit reached', runs_waiting: 1 }]);
    const runners = (await api('GET', '/v1/runners')).body.runners;
    expect(runners[0].credential_profiles).toEqual([profile({ variables: ['ANTHROPIC_API_KEY'] })]);
    // Nothing for the runner meanwhile: its only profile is parked.
    expect((await pollRun(api, runner)).run).toBeNull();
  });
});
