// Budgets of trees in the store (coordinator/budget/, ops/create-session.ts, ops/stop-tree-for-budget.ts), on
// both stores: shape limits refuse a child inside the create transaction, a sub-budget is never larger than
// what its tree has left, and a tree that passed its spending or wall limit is stopped once, with the reason.
import { afterEach, describe, expect, it } from 'vitest';
import { enforceBudgets, enforceBudgetsInFlight } from '../../coordinator/budget/enforce-budgets.js';
import type { NewSession, Store } from '../../coordinator/store/store.js';
import type { Budget } from '../../protocol/tree.js';
import { openFreshStore, STORE_KINDS } from './helpers.js';

const base: NewSession = { agent: null, executor: 'test', tags: [], project_dir: null, parent_session_id: null, priority: 0, timeout_s: null, prompt: 'hi', max_attempts: 2 };
const POLICY = { leaseMs: 30_000, baseMs: 100, maxMs: 1_000 };
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe.each(STORE_KINDS)('budgets of trees in the store (%s)', (kind) => {
  let store: Store;
  const open = async () => {
    const opened = await openFreshStore(kind);
    cleanups.push(opened.close);
    store = opened.store;
  };
  const create = async (parent: string | null, budget?: Budget, extra: Partial<NewSession> = {}) =>
    (await store.createSession({ ...base, parent_session_id: parent, ...(budget === undefined ? {} : { budget }), ...extra }, Date.now())).session;
  /** What the tree's totals would be after the runs reported usage (H1 keeps them; here they are set directly). */
  const spend = (id: string, usd: number, tokens = 0) =>
    store.sql.query('UPDATE sessions SET tree_cost_usd = ?, tree_input_tokens = ? WHERE id = ?', [usd, tokens, id]);

  it('stores a budget and refuses a child past max_depth, naming the limit and the figures', async () => {
    await open();
    const root = await create(null, { max_depth: 1 });
    expect(root.budget).toEqual({ max_depth: 1 });
    const child = await create(root.id);
    await expect(create(child.id)).rejects.toMatchObject({
      name: 'BudgetExceededError',
      message: `max_depth: the budget of ${root.id} allows 1 level(s) below it; this session would be 2 below`,
      details: { limit: 'max_depth', limit_value: 1, used: 2, budget_session_id: root.id },
    });
    // Refused before anything was written: no row, no count.
    expect(await store.getSession(child.id)).toMatchObject({ children: 0, descendants: 0 });
    expect(await store.getSession(root.id)).toMatchObject({ children: 1, descendants: 1 });
  });

  it('max_children bounds every session of the subtree; max_sessions the subtree itself included', async () => {
    await open();
    const root = await create(null, { max_children: 2, max_sessions: 4 });
    const a = await create(root.id);
    await create(root.id);
    await expect(create(root.id)).rejects.toMatchObject({ details: { limit: 'max_children', limit_value: 2, used: 2 } });
    await create(a.id);
    await expect(create(a.id)).rejects.toMatchObject({
      message: `max_sessions: the budget of ${root.id} allows 4 sessions in its tree (itself included); it has 4 already`,
      details: { limit: 'max_sessions', limit_value: 4, used: 4, budget_session_id: root.id },
    });
  });

  it('counts children created at once under one budget exactly: max_sessions admits no more than its figure', async () => {
    await open();
    const root = await create(null, { max_sessions: 4 });
    const kids = await Promise.allSettled(Array.from({ length: 6 }, () => create(root.id)));
    expect(kids.filter((k) => k.status === 'fulfilled')).toHaveLength(3);
    expect(kids.filter((k) => k.status === 'rejected').map((k) => (k as PromiseRejectedResult).reason.name)).toEqual(['BudgetExceededError', 'BudgetExceededError', 'BudgetExceededError']);
    expect(await store.getSession(root.id)).toMatchObject({ children: 3, descendants: 3 });
  });

  it("an ancestor's budget binds its whole subtree, under a session with a budget of its own", async () => {
    await open();
    const root = await create(null, { max_depth: 2, usd: 1 });
    const child = await create(root.id, { usd: 0.5 });
    const grandchild = await create(child.id);
    await expect(create(grandchild.id)).rejects.toMatchObject({ details: { limit: 'max_depth', budget_session_id: root.id } });
  });

  it('refuses a sub-budget larger than what the tree has left, and cuts a default (agent) budget to it', async () => {
    await open();
    const root = await create(null, { usd: 1, tokens: 1000, max_depth: 3, max_sessions: 10 });
    await spend(root.id, 0.6, 400);
    await expect(create(root.id, { usd: 0.5 })).rejects.toMatchObject({
      message: `budget.usd: 0.5 is more than the tree of ${root.id} has left ($0.4000 of $1.0000)`,
      details: { limit: 'budget.usd', used: 0.5, budget_session_id: root.id },
    });
    await expect(create(root.id, { tokens: 601 })).rejects.toMatchObject({ details: { limit: 'budget.tokens', limit_value: 600, used: 601 } });
    await expect(create(root.id, { max_depth: 3 })).rejects.toMatchObject({ details: { limit: 'budget.max_depth', limit_value: 2, used: 3 } });
    await expect(create(root.id, { max_sessions: 10 })).rejects.toMatchObject({ details: { limit: 'budget.max_sessions', limit_value: 9 } });
    expect((await create(root.id, { usd: 0.4, tokens: 600, max_depth: 2 })).budget).toEqual({ usd: 0.4, tokens: 600, max_depth: 2 });
    const defaulted = await create(root.id, { usd: 5, wall_s: 60, max_depth: 9 }, { budget_is_default: true });
    expect(defaulted.budget).toEqual({ usd: 0.4, wall_s: 60, max_depth: 2 }); // limits it does not set stay the tree's alone
  });

  it('a tree that passed usd is stopped once: reasons on every session, queued runs cancelled saying why, running ones asked to stop', async () => {
    await open();
    const root = await create(null, { usd: 1 });
    const child = await create(root.id);
    const grandchild = await create(child.id);
    const outside = await create(null);
    // The root and the child are claimed and running; the grandchild stays queued.
    const runner = await store.registerRunner({ id: 'r1', name: 'r1', hostname: null, executors: ['test'], tags: [], capacity: 4, metadata: null }, 'hash', Date.now());
    const [r1, r2] = await store.claimRuns({ id: runner.id, executors: ['test'], tags: [], roots: [root.id] }, Date.now(), 2);
    for (const run of [r1!, r2!]) await store.startRun(run.id, runner.id, Date.now());
    expect(await enforceBudgets({ store }, [root.id, child.id, outside.id])).toEqual([]);
    await spend(root.id, 1.25);
    const stops = await enforceBudgets({ store }, [root.id, child.id]);
    expect(stops).toEqual([{ reason: 'budget_exceeded', limit: 'usd', limit_value: 1, used: 1.25, session_id: root.id }]);
    expect(await enforceBudgets({ store }, [root.id])).toEqual([]); // once only
    expect(await enforceBudgetsInFlight({ store })).toEqual([]);
    for (const s of [root, child, grandchild]) {
      expect((await store.getSession(s.id))!.stop_reason).toMatchObject({ reason: 'budget_exceeded', limit: 'usd', limit_value: 1, used: 1.25, session_id: root.id });
    }
    expect((await store.getSession(outside.id))!.stop_reason).toBeNull();
    const queued = await store.getRun(grandchild.last_run_id);
    expect(queued).toMatchObject({ status: 'cancelled' });
    expect(queued!.error).toBe(`stopped for its tree's budget (budget_exceeded: usd $1.2500 used of $1.0000 (budget of ${root.id})) before a runner started it`);
    expect(await store.runsToStop(runner.id)).toEqual(expect.arrayContaining([r1!.id, r2!.id]));
    // The runner reports the cancel: the run's error says the budget stopped it.
    const finished = await store.finishRun(r2!.id, runner.id, { kind: 'cancelled', message: 'cancelled by a stop request' }, Date.now(), POLICY);
    expect(finished.error).toBe(`stopped for its tree's budget (budget_exceeded: usd $1.2500 used of $1.0000 (budget of ${root.id})): cancelled by a stop request`);
    // Nothing is added to or resumed in a stopped tree.
    await expect(create(child.id)).rejects.toMatchObject({ name: 'BudgetExceededError', details: { limit: 'usd', budget_session_id: root.id } });
    const ended = (await store.getSession(r2!.session_id))!;
    await expect(store.resumeSession(ended.id, { prompt: 'again', max_attempts: 1 }, Date.now())).rejects.toMatchObject({ name: 'BudgetExceededError' });
  });

  it('tokens count input, output and cache tokens; a budget under the root stops only its own subtree', async () => {
    await open();
    const root = await create(null);
    const child = await create(root.id, { tokens: 100 });
    const grandchild = await create(child.id);
    const sibling = await create(root.id);
    await spend(child.id, 0, 60);
    await store.sql.query('UPDATE sessions SET tree_cache_read_input_tokens = 40 WHERE id = ?', [child.id]);
    expect(await enforceBudgetsInFlight({ store })).toEqual([{ reason: 'budget_exceeded', limit: 'tokens', limit_value: 100, used: 100, session_id: child.id }]);
    expect(await store.getSession(grandchild.id)).toMatchObject({ status: 'cancelled', stop_reason: { session_id: child.id } });
    expect(await store.getSession(sibling.id)).toMatchObject({ status: 'queued', stop_reason: null });
    expect(await store.getSession(root.id)).toMatchObject({ status: 'queued', stop_reason: null });
  });

  it('wall_s: the sweep stops a tree in flight once its budget session is older than the limit', async () => {
    await open();
    const root = await create(null);
    const child = await create(root.id, { wall_s: 60 });
    const created = (await store.getSession(child.id))!.created_at;
    expect(await enforceBudgetsInFlight({ store }, created + 59_000)).toEqual([]);
    const [stop] = await enforceBudgetsInFlight({ store }, created + 61_000);
    expect(stop).toMatchObject({ limit: 'wall_s', limit_value: 60, session_id: child.id });
    expect(stop!.used).toBeCloseTo(61, 0);
    expect(await store.getSession(child.id)).toMatchObject({ status: 'cancelled' });
    // Nothing left: a new child is refused (the tree was stopped).
    await expect(create(child.id)).rejects.toMatchObject({ details: { limit: 'wall_s' } });
  });

  it('refuses a child of a tree whose spending passed its budget before the tree was stopped', async () => {
    await open();
    const root = await create(null, { usd: 0.5 });
    await spend(root.id, 0.5);
    await expect(create(root.id)).rejects.toMatchObject({
      message: `budget_exceeded: usd $0.5000 used of $0.5000 (budget of ${root.id}); nothing is left for a new session`,
      details: { limit: 'usd', limit_value: 0.5, used: 0.5 },
    });
  });

  it('a parent waiting for callbacks in a stopped tree is not resumed: the outcome stays recorded, undelivered', async () => {
    await open();
    const root = await create(null, { usd: 1 });
    await store.registerRunner({ id: 'r1', name: 'r1', hostname: null, executors: ['test'], tags: [], capacity: 4, metadata: null }, 'hash', Date.now());
    const [run] = await store.claimRuns({ id: 'r1', executors: ['test'], tags: [], roots: [root.id] }, Date.now(), 1);
    await store.startRun(run!.id, 'r1', Date.now());
    await store.finishRun(run!.id, 'r1', { kind: 'succeeded', message: 'ok' }, Date.now(), POLICY);
    const child = await create(root.id, undefined, { callback_session_id: root.id });
    await spend(root.id, 2);
    expect(await enforceBudgets({ store }, [root.id])).toHaveLength(1);
    expect(await store.getSession(child.id)).toMatchObject({ status: 'cancelled' });
    expect(await store.getSession(root.id)).toMatchObject({ status: 'idle', last_run_id: run!.id });
    expect(await store.listCallbacks(root.id)).toMatchObject([{ child_session_id: child.id, status: 'cancelled', delivered_run_id: null }]);
  });

  it('children created while the tree is being stopped are either refused or stopped with it', async () => {
    await open();
    const root = await create(null, { usd: 1, max_sessions: 1_000 });
    const kids = await Promise.all(Array.from({ length: 5 }, () => create(root.id)));
    await spend(root.id, 1.5);
    const [stops, ...created] = await Promise.allSettled([
      enforceBudgets({ store }, [root.id]),
      ...kids.flatMap((k) => [create(k.id), create(k.id)]),
    ]);
    expect(stops).toMatchObject({ status: 'fulfilled', value: [{ limit: 'usd' }] });
    for (const c of created) {
      if (c.status === 'rejected') expect(c.reason).toMatchObject({ name: 'BudgetExceededError' });
      else expect(await store.getSession(c.value.id)).toMatchObject({ status: 'cancelled', stop_reason: { session_id: root.id } });
    }
  });
});
