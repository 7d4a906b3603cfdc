// A budget stops a real tree: a parent on one runner and its child on another (ticker executors that run
// until stopped), on both stores. The coordinator's sweep stops the whole tree once its wall time passes
// `wall_s`, or once its spending passes `usd`; every session ends cancelled with the reason and the figures.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freshDatabase, STORE_KINDS, type StoreKind } from '../coordinator/helpers.js';
import { isRunning } from '../helpers/fixtures.js';
import { createSession, type RunnerKit, useRunnerKit, waitForEvent, waitForSession } from './runner-kit.js';

const ENDED = ['idle', 'failed', 'cancelled'];

/** A coordinator on `kind`, runners `a` and `b` serving the ticker, and a tree with `budget` on its root, both running. */
async function budgetedTree(kit: RunnerKit, kind: StoreKind, budget: Record<string, number>, extraEnv: Record<string, string> = {}) {
  const db = await freshDatabase(kind);
  kit.afterCleanup(db.drop);
  const { api, url } = await kit.coordinator({
    database: db.databaseUrl,
    args: ['--sweep-interval', '100ms', ...(db.databaseSchema === undefined ? [] : ['--database-schema', db.databaseSchema])],
  });
  const env = { GO_FILE: join(kit.dir, 'never'), ...extraEnv };
  await kit.daemon(['-c', url, '-x', 'ticker', '-t', 'a', '--grace', '2s'], env);
  await kit.daemon(['-c', url, '-x', 'ticker', '-t', 'b', '--grace', '2s'], env);
  const parent = await createSession(api, { executor: 'ticker', tags: ['a'], prompt: 'parent', budget });
  const child = await createSession(api, { executor: 'ticker', tags: ['b'], prompt: 'child', parent_session_id: parent.session_id });
  await waitForEvent(api, parent.session_id, (e) => e.type === 'progress', 60_000);
  await waitForEvent(api, child.session_id, (e) => e.type === 'progress', 60_000);
  return { api, url, db, parent, child };
}

describe.each(STORE_KINDS)('a budget stops a tree running on two runners (%s)', (kind) => {
  const kit = useRunnerKit();

  async function expectStoppedForBudget(api: Awaited<ReturnType<typeof budgetedTree>>['api'], ids: Array<{ session_id: string; run_id: string }>, rootId: string, limit: string) {
    for (const s of ids) {
      const view = await waitForSession(api, s.session_id, ENDED, 60_000);
      expect(view).toMatchObject({ status: 'cancelled', stop_reason: { reason: 'budget_exceeded', limit, session_id: rootId } });
      const run = (await api('GET', `/v1/runs/${s.run_id}`)).body;
      expect(run.status).toBe('cancelled');
      expect(run.error).toContain(`stopped for its tree's budget (budget_exceeded: ${limit} `);
      expect(run.error).toContain(`(budget of ${rootId})`);
    }
    for (const pid of kit().executorPids()) expect(isRunning(pid)).toBe(false);
  }

  it('wall_s: the whole tree is stopped once it ran longer than the limit', { timeout: 120_000 }, async () => {
    const { api, parent, child } = await budgetedTree(kit(), kind, { wall_s: 2 });
    await expectStoppedForBudget(api, [parent, child], parent.session_id, 'wall_s');
    const stopReason = (await api('GET', `/v1/sessions/${parent.session_id}`)).body.stop_reason;
    expect(stopReason.limit_value).toBe(2);
    expect(stopReason.used).toBeGreaterThanOrEqual(2);
    // The stopped tree takes no new session.
    const refused = await api('POST', '/v1/sessions', { executor: 'ticker', prompt: 'late', parent_session_id: child.session_id });
    expect(refused).toMatchObject({ status: 409, body: { error: { code: 'budget_exceeded', details: { limit: 'wall_s', budget_session_id: parent.session_id } } } });
  });

  it("usd: the whole tree is stopped once its totals pass the limit (the runs' own usage reports, summed)", { timeout: 120_000 }, async () => {
    // Each tick reports the run's cost so far, a cent a tick: the tree passes $0.50 after 50 ticks between them.
    const { api, url, parent, child } = await budgetedTree(kit(), kind, { usd: 0.5 }, { TICK_COST_CENTS: '1' });
    await expectStoppedForBudget(api, [parent, child], parent.session_id, 'usd');
    const reason = (await api('GET', `/v1/sessions/${child.session_id}`)).body.stop_reason;
    expect(reason).toMatchObject({ limit_value: 0.5 });
    expect(reason.used).toBeGreaterThanOrEqual(0.5);
    // The tree's totals hold every cent both runs reported, at least what stopped it.
    const root = (await api('GET', `/v1/sessions/${parent.session_id}`)).body;
    expect(root.tree_totals.cost_usd).toBeGreaterThanOrEqual(reason.used);
    const own = root.totals.cost_usd + (await api('GET', `/v1/sessions/${child.session_id}`)).body.totals.cost_usd;
    expect(root.tree_totals.cost_usd).toBeCloseTo(own, 9);
    const show = await kit().cli(['sessions', 'show', child.session_id, '-c', url]);
    expect(show.stdout).toMatch(/budget_exceeded: usd \$0\.\d{4} used of \$0\.5000/); // the run's error
    expect(show.stdout).toContain(`(budget of ${parent.session_id})`);
    expect(show.stdout).toContain('budget      none of its own; left: usd $0.0000');
  });
});
