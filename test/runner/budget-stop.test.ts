// A budget stops a real tree: a parent on one runner and its child on another (ticker executors that run
// until stopped), on both stores. The coordinator's sweep stops the whole tree once its wall time passes
// `wall_s`, or once its spending passes `usd`; every session ends cancelled with the reason and the figures.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../coordinator/store/open-store.js';
import { freshDatabase, STORE_KINDS, type StoreKind } from '../coordinator/helpers.js';
import { isRunning } from '../helpers/fixtures.js';
import { createSession, type RunnerKit, useRunnerKit, waitForEvent, waitForSession } from './runner-kit.js';

const ENDED = ['idle', 'failed', 'cancelled'];

/** A coordinator on `kind`, runners `a` and `b` serving the ticker, and a tree with `budget` on its root, both running. */
async function budgetedTree(kit: RunnerKit, kind: StoreKind, budget: Record<string, number>) {
  const db = await freshDatabase(kind);
  kit.afterCleanup(db.drop);
  const { api, url } = await kit.coordinator({
    database: db.databaseUrl,
    args: ['--sweep-interval', '100ms', ...(db.databaseSchema === undefined ? [] : ['--database-schema', db.databaseSchema])],
  });
  const env = { GO_FILE: join(kit.dir, 'never') };
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

  it("usd: the whole tree is stopped once its totals pass the limit (the totals a runner's usage reports keep)", { timeout: 120_000 }, async () => {
    const { api, url, db, parent, child } = await budgetedTree(kit(), kind, { usd: 0.5 });
    const store = await openStore({ databaseUrl: db.databaseUrl, schema: db.databaseSchema });
    try {
      // What the coordinator's usage totals (kept from the runs' usage reports) say after the tree spent $0.60.
      await store.sql.query('UPDATE sessions SET tree_cost_usd = 0.6 WHERE id = ?', [parent.session_id]);
    } finally {
      await store.close();
    }
    await expectStoppedForBudget(api, [parent, child], parent.session_id, 'usd');
    expect((await api('GET', `/v1/sessions/${child.session_id}`)).body.stop_reason).toMatchObject({ limit_value: 0.5, used: 0.6 });
    const show = await kit().cli(['sessions', 'show', child.session_id, '-c', url]);
    expect(show.stdout).toContain('budget_exceeded: usd $0.6000 used of $0.5000'); // the run's error
    expect(show.stdout).toContain(`stopped     budget_exceeded: usd 0.6 used of 0.5 (budget of ${parent.session_id})`);
    expect(show.stdout).toContain('budget      none of its own; left: usd $0.0000');
  });
});
