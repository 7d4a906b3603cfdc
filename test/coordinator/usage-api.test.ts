// GET /v1/usage and the usage a runner's reports add, over HTTP on both stores.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_RUN_COST_USD, MAX_RUN_TOKENS } from '../../protocol/limits.js';
import { SessionViewSchema } from '../../protocol/sessions.js';
import { UsageReportSchema } from '../../protocol/usage.js';
import { type Api, apiClient, pollRun, registerRunner, startTestCoordinator, STORE_KINDS } from './helpers.js';

describe.each(STORE_KINDS)('usage over HTTP (%s)', (kind) => {
  let t: Awaited<ReturnType<typeof startTestCoordinator>> | undefined;
  let api: Api;
  beforeEach(async () => {
    t = await startTestCoordinator(kind);
    api = t.api;
  });
  afterEach(async () => {
    await t?.stop();
    t = undefined;
  });

  /** Create a session, claim its run as `runner`, and report its events and end. */
  async function reportedSession(runner: { runner_id: string; token: string }, body: Record<string, unknown>, events: Array<Record<string, unknown>>) {
    const created = await api('POST', '/v1/sessions', { executor: 'test', prompt: 'go', ...body });
    expect(created.status).toBe(201);
    const { run } = await pollRun(api, runner);
    expect(run.run_id).toBe(created.body.run_id);
    const res = await api('POST', `/v1/runners/${runner.runner_id}/reports`, {
      reports: [{ run_id: run.run_id, started: {}, events: events.map((event, i) => ({ seq: i + 1, event })), finished: { kind: 'succeeded', message: 'ok', exit_code: 0 } }],
    }, runner.token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.results[0].error).toBeUndefined();
    return created.body.session_id as string;
  }

  it('GET /v1/usage: totals per agent and per executor, and their sum; empty before any run', async () => {
    const empty = await api('GET', '/v1/usage');
    expect(empty.status).toBe(200);
    expect(UsageReportSchema.parse(empty.body)).toEqual({ agents: [], executors: [], total: { runs: 0, input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0, cost_usd: 0 } });
    const runner = await registerRunner(api);
    const parent = await reportedSession(runner, {}, [{ type: 'usage', input_tokens: 5, output_tokens: 1, cost_usd: 0.5 }]);
    await reportedSession(runner, { parent_session_id: parent }, [{ type: 'usage', input_tokens: 7, cache_creation_input_tokens: 3, cost_usd: 0.25 }]);
    const res = await api('GET', '/v1/usage');
    const body = UsageReportSchema.parse(res.body);
    expect(body.agents).toEqual([expect.objectContaining({ name: null, runs: 2, input_tokens: 12, output_tokens: 1, cache_creation_input_tokens: 3, cost_usd: 0.75 })]);
    expect(body.executors).toEqual([expect.objectContaining({ name: 'test', runs: 2, input_tokens: 12, cost_usd: 0.75 })]);
    expect(body.total).toMatchObject({ runs: 2, input_tokens: 12, cost_usd: 0.75 });
    const view = SessionViewSchema.parse((await api('GET', `/v1/sessions/${parent}`)).body);
    expect(view.totals).toMatchObject({ input_tokens: 5, cost_usd: 0.5 });
    expect(view.tree_totals).toMatchObject({ input_tokens: 12, cache_creation_input_tokens: 3, cost_usd: 0.75 });
    const list = (await api('GET', '/v1/sessions')).body.sessions.find((s: { session_id: string }) => s.session_id === parent);
    expect(list.tree_totals.cost_usd).toBe(0.75);
  });

  it('the largest figures the event schema lets through count at the per-run limit, so totals stay finite', async () => {
    const runner = await registerRunner(api);
    const id = await reportedSession(runner, {}, [{ type: 'usage', input_tokens: Number.MAX_SAFE_INTEGER, cost_usd: 1e308 }]);
    await reportedSession(runner, { parent_session_id: id }, [{ type: 'usage', input_tokens: Number.MAX_SAFE_INTEGER, cost_usd: Number.MAX_VALUE }]);
    const view = (await api('GET', `/v1/sessions/${id}`)).body;
    expect(view.totals).toMatchObject({ input_tokens: MAX_RUN_TOKENS, cost_usd: MAX_RUN_COST_USD });
    expect(view.tree_totals).toMatchObject({ input_tokens: 2 * MAX_RUN_TOKENS, cost_usd: 2 * MAX_RUN_COST_USD });
    expect(UsageReportSchema.parse((await api('GET', '/v1/usage')).body).total).toMatchObject({ input_tokens: 2 * MAX_RUN_TOKENS, cost_usd: 2 * MAX_RUN_COST_USD });
    const metrics = await (await fetch(`${t!.url}/metrics`)).text();
    expect(metrics).toContain(`agent_coordinator_tokens_total{executor="test",kind="input"} ${2 * MAX_RUN_TOKENS}`);
    expect(metrics).toContain(`agent_coordinator_cost_usd_total{executor="test"} ${2 * MAX_RUN_COST_USD}`);
  });

  it('GET /v1/usage needs the API token when the coordinator has one, and a runner\'s token is refused', async () => {
    await t!.stop();
    t = await startTestCoordinator(kind, { apiToken: 'sekret' });
    const user = apiClient(t.url, 'sekret');
    expect(await apiClient(t.url)('GET', '/v1/usage')).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
    expect((await apiClient(t.url, 'wrong')('GET', '/v1/usage')).status).toBe(401);
    const runner = await registerRunner(user);
    expect((await apiClient(t.url, runner.token)('GET', '/v1/usage')).status).toBe(403);
    // It takes no query: one is ignored, a NUL in the URL refused as everywhere.
    expect((await user('GET', '/v1/usage?limit=-1')).status).toBe(200);
    expect((await user('GET', '/v1/usage?scope=%00')).status).toBe(400);
  });

  it('GET /v1/usage?since=: per agent, the sessions created since then and their own cost; a bad time is refused naming since', async () => {
    const runner = await registerRunner(api);
    const before = new Date(Date.now() - 1000).toISOString();
    await reportedSession(runner, {}, [{ type: 'usage', input_tokens: 5, output_tokens: 2, cost_usd: 0.5 }]);
    await reportedSession(runner, {}, [{ type: 'usage', cost_usd: 0.25 }]);
    const res = await api('GET', `/v1/usage?since=${encodeURIComponent(before)}`);
    expect(res.status).toBe(200);
    expect(UsageReportSchema.parse(res.body).since).toEqual({ time: before, agents: [{ name: null, sessions: 2, input_tokens: 5, output_tokens: 2, cost_usd: 0.75 }] });
    const later = await api('GET', `/v1/usage?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`);
    expect(later.body.since.agents).toEqual([]);
    expect((await api('GET', '/v1/usage')).body.since).toBeUndefined();
    for (const bad of ['yesterday', '2026-13-45', '1e9', '', '2026-12-02T00:00:00Z%00']) {
      const refused = await api('GET', `/v1/usage?since=${bad}`);
      expect(refused.status, bad).toBe(400);
      expect(refused.body.error.details.issues[0].path, bad).toBe('since');
    }
  });
});
