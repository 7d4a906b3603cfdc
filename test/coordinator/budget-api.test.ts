// Budgets over HTTP (POST /v1/sessions `budget`, agents' `budget`, GET /v1/sessions/:id `budget_left`, the
// claim's `metadata.budget`), on both stores: malformed budgets are 400s naming the field, a refused child is a
// 409 `budget_exceeded` naming the limit and the figures.
import { afterEach, describe, expect, it } from 'vitest';
import { type Api, pollRun, registerRunner, startTestCoordinator, STORE_KINDS } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function coordinator(kind: (typeof STORE_KINDS)[number]): Promise<Api> {
  const t = await startTestCoordinator(kind);
  cleanups.push(t.stop);
  return t.api;
}

const session = (api: Api, body: Record<string, unknown>) => api('POST', '/v1/sessions', { executor: 'test', prompt: 'p', ...body });

describe.each(STORE_KINDS)('budgets over HTTP (%s)', (kind) => {
  it.each([
    [{ usd: -1 }, 'budget.usd', 'budget.usd must be more than 0 US dollars'],
    [{ usd: 0 }, 'budget.usd', 'budget.usd must be more than 0 US dollars'],
    [{ usd: '5' }, 'budget.usd', 'budget.usd must be a number'],
    [{ usd: 1e9 }, 'budget.usd', 'at most 1000000'],
    [{ tokens: 1.5 }, 'budget.tokens', 'whole number'],
    [{ tokens: 0 }, 'budget.tokens', 'at least 1'],
    [{ wall_s: 10_000_000 }, 'budget.wall_s', 'at most 604800'],
    [{ max_depth: -1 }, 'budget.max_depth', 'at least 0'],
    [{ max_depth: 1001 }, 'budget.max_depth', 'at most 1000'],
    [{ max_children: 'many' }, 'budget.max_children', 'whole number'],
    [{ max_sessions: 0 }, 'budget.max_sessions', 'at least 1'],
    [{ dollars: 5 }, 'budget', 'dollars'],
    [{ usd: null }, 'budget.usd', 'number'],
  ])('refuses the budget %j with a 400 naming %s', async (budget, path, message) => {
    const api = await coordinator(kind);
    const res = await session(api, { budget });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    expect(res.body.error.details.issues[0].path).toBe(path);
    expect(res.body.error.message).toContain(message);
  });

  it('refuses a budget that is not an object, and an agent blueprint with a malformed budget', async () => {
    const api = await coordinator(kind);
    for (const budget of [5, 'lots', [1], true]) {
      const res = await session(api, { budget });
      expect(res.status).toBe(400);
      expect(res.body.error.details.issues[0].path).toBe('budget');
    }
    const agent = await api('PUT', '/v1/agents/spender', { executor: 'test', budget: { usd: -2, max_children: 1.5 } });
    expect(agent.status).toBe(400);
    expect(agent.body.error.details.issues.map((i: { path: string }) => i.path)).toEqual(['budget.usd', 'budget.max_children']);
  });

  it('a refused child is a 409 budget_exceeded naming the limit and the figures; the parent shows what is left', async () => {
    const api = await coordinator(kind);
    const root = await session(api, { budget: { usd: 2, max_children: 1, max_depth: 3, wall_s: 3600 } });
    expect(root.status).toBe(201);
    const child = await session(api, { parent_session_id: root.body.session_id, budget: { usd: 1 } });
    expect(child.status).toBe(201);
    const refused = await session(api, { parent_session_id: root.body.session_id });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({
      code: 'budget_exceeded',
      message: `max_children: the budget of ${root.body.session_id} allows 1 children per session; ${root.body.session_id} has 1 already`,
      details: { limit: 'max_children', limit_value: 1, used: 1, budget_session_id: root.body.session_id },
    });
    const larger = await session(api, { parent_session_id: child.body.session_id, budget: { usd: 1.5 } });
    expect(larger.status).toBe(409);
    expect(larger.body.error.message).toBe(`budget.usd: 1.5 is more than the tree of ${child.body.session_id} has left ($1.0000 of $1.0000)`);
    const view = (await api('GET', `/v1/sessions/${child.body.session_id}`)).body;
    expect(view.budget).toEqual({ usd: 1 });
    expect(view.budget_left).toMatchObject({ usd: 1, max_children: 1, max_depth: 2 });
    expect(view.budget_left).not.toHaveProperty('max_sessions');
    expect(view.budget_left.wall_s).toBeGreaterThan(3500);
    expect(view.budget_left.budgets.map((b: { session_id: string }) => b.session_id)).toEqual([child.body.session_id, root.body.session_id]);
    expect((await api('GET', `/v1/sessions/${root.body.session_id}`)).body.budget_left.budgets[0].used).toMatchObject({ usd: 0, tokens: 0, sessions: 2 });
    const free = await session(api, {});
    expect((await api('GET', `/v1/sessions/${free.body.session_id}`)).body).toMatchObject({ budget: null, budget_left: null });
  });

  it("an agent's budget is the default of its sessions, cut under a parent to what the tree has left", async () => {
    const api = await coordinator(kind);
    expect((await api('PUT', '/v1/agents/spender', { executor: 'test', budget: { usd: 5, max_depth: 4 } })).status).toBe(201);
    const root = await session(api, { agent: 'spender' });
    expect((await api('GET', `/v1/sessions/${root.body.session_id}`)).body.budget).toEqual({ usd: 5, max_depth: 4 });
    const own = await session(api, { agent: 'spender', budget: { tokens: 10 } });
    expect((await api('GET', `/v1/sessions/${own.body.session_id}`)).body.budget).toEqual({ tokens: 10 });
    const capped = await session(api, { budget: { usd: 1, max_depth: 2 } });
    const child = await session(api, { agent: 'spender', parent_session_id: capped.body.session_id });
    expect(child.status).toBe(201);
    expect((await api('GET', `/v1/sessions/${child.body.session_id}`)).body.budget).toEqual({ usd: 1, max_depth: 1 });
  });

  it("each run is told what its tree has left in the claim's metadata.budget (none when no budget applies)", async () => {
    const api = await coordinator(kind);
    const runner = await registerRunner(api);
    const root = await session(api, { budget: { usd: 0.75, tokens: 5000, max_depth: 2 } });
    const first = await pollRun(api, runner);
    expect(first.invocation.session_id).toBe(root.body.session_id);
    expect(first.invocation.metadata.budget).toMatchObject({ usd: 0.75, tokens: 5000 });
    const child = await session(api, { parent_session_id: root.body.session_id, budget: { usd: 0.5, wall_s: 60 } });
    const second = await pollRun(api, runner);
    expect(second.invocation.session_id).toBe(child.body.session_id);
    expect(second.invocation.metadata.budget).toMatchObject({ usd: 0.5, tokens: 5000 });
    expect(second.invocation.metadata.budget.wall_s).toBeLessThanOrEqual(60);
    await session(api, {});
    expect((await pollRun(api, runner)).invocation.metadata.budget).toBeUndefined();
  });
});
