// Usage counted right (issue 14): summed over every run and attempt of a session, added to every ancestor's
// subtree totals and to the agent's and executor's totals, incrementally from the runs' reports, on both stores.
import { afterEach, describe, expect, it } from 'vitest';
import type { IncomingEvent } from '../../coordinator/store/ops/append-events.js';
import type { FinishReport } from '../../coordinator/store/ops/finish-run.js';
import type { Store } from '../../coordinator/store/store.js';
import type { RunRecord, SessionRecord } from '../../coordinator/types.js';
import type { UsageTotals } from '../../protocol/tree.js';
import { openFreshStore, STORE_KINDS } from './helpers.js';
import { PG_DEADLOCK_TRIES } from '../../coordinator/store/postgres-client.js';

const policy = { baseMs: 100, maxMs: 1_000, random: () => 1, leaseMs: 30_000 };
const runner = { id: 'r1', executors: ['test', 'claude-code'], tags: [] };
const base = { agent: null as string | null, executor: 'test', tags: [], project_dir: null, parent_session_id: null as string | null, priority: 0, timeout_s: null, prompt: 'hi', max_attempts: 2 };
const usage = (fields: Record<string, unknown>) => ({ type: 'usage', ...fields });
const succeeded: FinishReport = { kind: 'succeeded', message: 'ok', exit_code: 0 };

/** Totals with only the given counters set. */
const totals = (fields: Partial<UsageTotals>): UsageTotals => ({
  input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0, cost_usd: 0, ...fields,
});

/** Compare totals, the cost to 9 digits (sums of binary fractions). */
function expectTotals(actual: UsageTotals, expected: UsageTotals): void {
  const { cost_usd: cost, ...tokens } = expected;
  expect(actual).toMatchObject(tokens);
  expect(actual.cost_usd).toBeCloseTo(cost, 9);
}

describe.each(STORE_KINDS)('usage totals (%s)', (kind) => {
  let store: Store;
  let close: (() => Promise<void>) | undefined;
  let now = 1_000;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  async function open(): Promise<Store> {
    const opened = await openFreshStore(kind);
    close = opened.close;
    store = opened.store;
    await store.registerRunner({ id: 'r1', name: 'r1', hostname: null, executors: runner.executors, tags: [], capacity: 64, metadata: null }, 'hash', now);
    return store;
  }

  /** Create a session and claim and start its run. */
  async function started(input: Partial<typeof base> = {}): Promise<{ session: SessionRecord; run: RunRecord }> {
    const created = await store.createSession({ ...base, ...input }, ++now);
    return { session: created.session, run: await claimAndStart(created.run.id) };
  }

  async function claimAndStart(runId: string): Promise<RunRecord> {
    const claimed = await store.claimNextRun(runner, (now += 10_000));
    expect(claimed?.id).toBe(runId);
    await store.applyRunReport('r1', { run_id: runId, attempt: claimed!.attempt, started: {} }, ++now, policy);
    return (await store.getRun(runId))!;
  }

  /** Report events (numbered from `from`) and, optionally, the end of a run's current attempt. */
  async function report(run: RunRecord, events: Array<Record<string, unknown>>, from: number, finished?: FinishReport, attempt?: number) {
    const numbered = events.map((event, i) => ({ seq: from + i, event })) as IncomingEvent[];
    return store.applyRunReport('r1', { run_id: run.id, attempt: attempt ?? run.attempt, events: numbered, finished }, ++now, policy);
  }

  const session = async (id: string) => (await store.getSession(id))!;

  it('a three-level tree: each session its own totals, each subtree the sum of its sessions, the root the whole tree', async () => {
    await open();
    const root = await started({ agent: 'planner' });
    const a = await started({ agent: 'coder', parent_session_id: root.session.id });
    const b = await started({ agent: 'coder', parent_session_id: root.session.id, executor: 'claude-code' });
    const g = await started({ agent: 'tester', parent_session_id: a.session.id });
    await report(root.run, [usage({ input_tokens: 100, output_tokens: 10, cost_usd: 0.1 })], 1, succeeded);
    await report(a.run, [usage({ input_tokens: 200, output_tokens: 20, cache_read_input_tokens: 7, cost_usd: 0.2 })], 1, succeeded);
    await report(b.run, [usage({ input_tokens: 300, output_tokens: 30, cache_creation_input_tokens: 9, cost_usd: 0.3 })], 1, succeeded);
    // The grandchild reports its totals so far twice: the second replaces the first, adding only the difference.
    await report(g.run, [usage({ input_tokens: 150, output_tokens: 15, cost_usd: 0.15 })], 1);
    await report(g.run, [{ type: 'log', message: 'more' }, usage({ input_tokens: 400, output_tokens: 40, cost_usd: 0.4 })], 2, succeeded);

    expectTotals((await session(g.session.id)).totals, totals({ input_tokens: 400, output_tokens: 40, cost_usd: 0.4 }));
    expectTotals((await session(g.session.id)).tree_totals, totals({ input_tokens: 400, output_tokens: 40, cost_usd: 0.4 }));
    expectTotals((await session(a.session.id)).totals, totals({ input_tokens: 200, output_tokens: 20, cache_read_input_tokens: 7, cost_usd: 0.2 }));
    expectTotals((await session(a.session.id)).tree_totals, totals({ input_tokens: 600, output_tokens: 60, cache_read_input_tokens: 7, cost_usd: 0.6 }));
    expectTotals((await session(b.session.id)).tree_totals, totals({ input_tokens: 300, output_tokens: 30, cache_creation_input_tokens: 9, cost_usd: 0.3 }));
    const rootView = await session(root.session.id);
    expectTotals(rootView.totals, totals({ input_tokens: 100, output_tokens: 10, cost_usd: 0.1 }));
    expectTotals(rootView.tree_totals, totals({ input_tokens: 1000, output_tokens: 100, cache_read_input_tokens: 7, cache_creation_input_tokens: 9, cost_usd: 1.0 }));
    // The root's tree totals are the sum of every session's own.
    const all = await Promise.all([root, a, b, g].map((s) => session(s.session.id)));
    for (const field of ['input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens', 'cost_usd'] as const) {
      expect(rootView.tree_totals[field]).toBeCloseTo(all.reduce((sum, s) => sum + s.totals[field], 0), 9);
    }
    // The run keeps what it counted; the session keeps its latest run's last usage event as it was.
    expect((await store.getRun(g.run.id))!.usage).toMatchObject({ attempt: 1, input_tokens: 400, output_tokens: 40 });
    expect((await session(g.session.id)).usage).toEqual({ input_tokens: 400, output_tokens: 40, cost_usd: 0.4 });

    const byScope = Object.fromEntries((await store.listUsageTotals()).map((t) => [`${t.scope}:${t.name}`, t]));
    expect(Object.keys(byScope).sort()).toEqual(['agent:coder', 'agent:planner', 'agent:tester', 'executor:claude-code', 'executor:test']);
    expect(byScope['agent:coder']).toMatchObject({ runs: 2, input_tokens: 500, output_tokens: 50, cache_read_input_tokens: 7, cache_creation_input_tokens: 9 });
    expect(byScope['agent:tester']).toMatchObject({ runs: 1, input_tokens: 400 });
    expect(byScope['executor:test']).toMatchObject({ runs: 3, input_tokens: 700 });
    expect(byScope['executor:claude-code']).toMatchObject({ runs: 1, input_tokens: 300 });
    expect(byScope['agent:planner']!.cost_usd).toBeCloseTo(0.1, 9);
  });

  it('resent and out-of-order reports never count twice, and a lower figure takes nothing back', async () => {
    await open();
    const { session: s, run } = await started();
    await report(run, [usage({ input_tokens: 10, cost_usd: 0.01 })], 1);
    await report(run, [usage({ input_tokens: 10, cost_usd: 0.01 })], 1); // the same batch again (a resend)
    await report(run, [usage({ input_tokens: 30, cost_usd: 0.03 })], 3); // seq 3 before seq 2
    await report(run, [usage({ input_tokens: 20, cost_usd: 0.02 })], 2); // the late one: lower than counted
    expectTotals((await session(s.id)).totals, totals({ input_tokens: 30, cost_usd: 0.03 }));
    await report(run, [usage({ input_tokens: 45, output_tokens: 5, cost_usd: 0.05 })], 4, succeeded);
    expectTotals((await session(s.id)).tree_totals, totals({ input_tokens: 45, output_tokens: 5, cost_usd: 0.05 }));
    const [agentTotals] = (await store.listUsageTotals()).filter((t) => t.scope === 'agent');
    expect(agentTotals).toMatchObject({ name: '', runs: 1, input_tokens: 45, output_tokens: 5 });
  });

  it('counts the usage of failed, cancelled and timed-out runs, and of every attempt of a retried run', async () => {
    await open();
    const root = await started();
    const kids = [];
    for (const kind of ['failed', 'cancelled', 'timed_out'] as const) {
      const kid = await started({ parent_session_id: root.session.id });
      await report(kid.run, [usage({ input_tokens: 7, output_tokens: 1, cost_usd: 0.007 })], 1, { kind, message: kind, exit_code: 1 });
      expect((await store.getRun(kid.run.id))!.status).toBe(kind);
      kids.push(kid);
    }
    // A retried run: its first attempt's usage stays counted, the second attempt's (from 0 again) adds to it.
    const retried = await started({ parent_session_id: root.session.id });
    await report(retried.run, [usage({ input_tokens: 10, cost_usd: 0.01 })], 1, { kind: 'infra_failed', message: 'runner lost its disk' });
    expect((await store.getRun(retried.run.id))!).toMatchObject({ status: 'queued', attempt: 2 });
    const second = await claimAndStart(retried.run.id);
    expect(second.attempt).toBe(2);
    // A resend of the first attempt's report is skipped whole.
    expect((await report(retried.run, [usage({ input_tokens: 99 })], 1, undefined, 1)).skipped).toMatch(/attempt 1/);
    await report(second, [usage({ input_tokens: 4, cost_usd: 0.004 })], 2);
    await report(second, [usage({ input_tokens: 5, cost_usd: 0.005 })], 3, succeeded);
    expectTotals((await session(retried.session.id)).totals, totals({ input_tokens: 15, cost_usd: 0.015 }));
    expect((await store.getRun(retried.run.id))!.usage).toMatchObject({ attempt: 2, input_tokens: 5 });
    expectTotals((await session(root.session.id)).tree_totals, totals({ input_tokens: 36, output_tokens: 3, cost_usd: 0.036 }));
  });

  it('an executor-session cost (cost_scope executor_session) counts each run for its own part: a start and two resumes sum to the last figure', async () => {
    await open();
    const { session: s, run } = await started({ executor: 'claude-code' });
    const claude = (cost: number | undefined, tokens = 10) => usage({ input_tokens: tokens, output_tokens: 3, cost_usd: cost, cost_scope: 'executor_session' });
    await report(run, [{ type: 'bind', executor_session_id: 'claude-1' }, claude(0.0125)], 1, succeeded);
    expect((await session(s.id)).totals.cost_usd).toBeCloseTo(0.0125, 9);
    for (const [i, [before, figure]] of [[0.0125, 0.025], [0.025, 0.0375]].entries()) {
      const resumed = await store.resumeSession(s.id, { prompt: `again ${i}`, max_attempts: 1 }, ++now);
      const r = await claimAndStart(resumed.run.id);
      // Claude repeats its cumulative figure: a report that repeats it adds nothing more.
      await report(r, [claude(figure)], 1);
      await report(r, [claude(figure)], 2, succeeded);
      expect((await store.getRun(r.id))!.usage).toMatchObject({ cost_base_usd: before, executor_session_cost_usd: figure });
      expect((await store.getRun(r.id))!.usage!.cost_usd).toBeCloseTo(0.0125, 9);
    }
    const view = await session(s.id);
    expectTotals(view.totals, totals({ input_tokens: 30, output_tokens: 9, cost_usd: 0.0375 }));
    expectTotals(view.tree_totals, totals({ input_tokens: 30, output_tokens: 9, cost_usd: 0.0375 }));
    // A resume whose run is cancelled before Claude's result reports tokens only (no cost): they count,
    // and the next resume's figure is counted from the last figure any run reported.
    const cancelled = await store.resumeSession(s.id, { prompt: 'stop me', max_attempts: 1 }, ++now);
    const c = await claimAndStart(cancelled.run.id);
    await report(c, [usage({ input_tokens: 4, output_tokens: 1, partial: true })], 1, { kind: 'cancelled', message: 'stopped', exit_code: 143 });
    const last = await store.resumeSession(s.id, { prompt: 'last', max_attempts: 1 }, ++now);
    const l = await claimAndStart(last.run.id);
    await report(l, [claude(0.05)], 1, succeeded);
    expectTotals((await session(s.id)).totals, totals({ input_tokens: 44, output_tokens: 13, cost_usd: 0.05 }));
  });

  it('figures that are not counts count 0, and huge ones count as the per-run limit: the totals stay finite', async () => {
    await open();
    const { session: s, run } = await started();
    await report(run, [usage({ input_tokens: -5, output_tokens: 'NaN', cache_read_input_tokens: 1e20, cache_creation_input_tokens: 2.7, cost_usd: 1e308 })], 1);
    await report(run, [usage({ input_tokens: null, output_tokens: { n: 1 }, cost_usd: -1 })], 2, succeeded);
    const view = await session(s.id);
    expect(view.totals).toEqual(totals({ cache_read_input_tokens: 1e12, cache_creation_input_tokens: 2, cost_usd: 1e6 }));
    expect(view.tree_totals).toEqual(view.totals);
    for (const t of await store.listUsageTotals()) expect(Number.isFinite(t.cost_usd) && Number.isFinite(t.cache_read_input_tokens)).toBe(true);
  });

  it('names the sessions with a budget whose subtree totals a report changed (the run\'s own, and ancestors\')', async () => {
    await open();
    const root = await started();
    const mid = await started({ parent_session_id: root.session.id });
    const leaf = await started({ parent_session_id: mid.session.id });
    // Budgets are another part's; set them as it would store them.
    await store.sql.query('UPDATE sessions SET budget = ? WHERE id IN (?, ?)', [JSON.stringify({ usd: 1 }), root.session.id, leaf.session.id]);
    expect((await report(leaf.run, [usage({ input_tokens: 1 })], 1)).budgeted.sort()).toEqual([root.session.id, leaf.session.id].sort());
    expect((await report(mid.run, [usage({ input_tokens: 1 })], 1)).budgeted).toEqual([root.session.id]);
    // Nothing added, nothing to check.
    expect((await report(mid.run, [{ type: 'log', message: 'x' }, usage({ input_tokens: 1 })], 2)).budgeted).toEqual([]);
    const appended = await store.appendEvents(leaf.run.id, 'r1', [{ seq: 2, event: { type: 'usage', input_tokens: 3 } }], ++now);
    expect(appended.budgeted?.sort()).toEqual([root.session.id, leaf.session.id].sort());
    expect((await session(root.session.id)).tree_totals.input_tokens).toBe(4);
  });

  it('a result the agent reported with report_result stands over its executor\'s final result of the same run, in any order', async () => {
    await open();
    const { session: s, run } = await started();
    const agent = { type: 'result', via: 'report_result', result_text: 'the answer', result_data: { answer: 42 } };
    // In one batch, the executor's result after the agent's.
    await report(run, [agent, { type: 'result', result_text: 'final message' }], 1);
    expect((await session(s.id)).result).toEqual({ via: 'report_result', run_id: run.id, result_text: 'the answer', result_data: { answer: 42 } });
    // In a later batch, and in the outcome the run ends with.
    await report(run, [{ type: 'result', result_text: 'final message again' }], 3, { ...succeeded, result: { type: 'result', result_text: 'outcome' } });
    expect((await session(s.id)).result).toMatchObject({ result_data: { answer: 42 } });
    // The next run's executor result replaces it (the agent reported nothing in that run) ...
    const resumed = await store.resumeSession(s.id, { prompt: 'more', max_attempts: 1 }, ++now);
    const r2 = await claimAndStart(resumed.run.id);
    await report(r2, [{ type: 'result', result_text: 'second run' }], 1);
    expect((await session(s.id)).result).toEqual({ result_text: 'second run' });
    // ... and an agent's result later in a run replaces the executor's, a later one of the agent the earlier.
    await report(r2, [{ ...agent, result_data: { answer: 1 } }, { ...agent, result_data: { answer: 2 } }], 2);
    await report(r2, [{ type: 'result', result_text: 'final' }], 4, succeeded);
    expect((await session(s.id)).result).toEqual({ via: 'report_result', run_id: r2.id, result_text: 'the answer', result_data: { answer: 2 } });
  });

  it.runIf(kind === 'postgres')('two transactions that lock two sessions in opposite orders (a report upwards, a stop downwards) both complete: the deadlock victim runs again', async () => {
    await open();
    const parent = await started();
    const child = await started({ parent_session_id: parent.session.id });
    let tries = 0;
    const held: Array<() => void> = [];
    const bothHold = Promise.all([0, 1].map((i) => new Promise<void>((resolve) => (held[i] = resolve))));
    const lockBoth = (i: number, first: string, second: string) =>
      store.sql.transaction(async (tx) => {
        tries += 1;
        await tx.query('UPDATE sessions SET updated_at = updated_at + 1 WHERE id = ?', [first]);
        held[i]!();
        await bothHold;
        await tx.query('UPDATE sessions SET updated_at = updated_at + 1 WHERE id = ?', [second]);
      });
    await Promise.all([lockBoth(0, child.session.id, parent.session.id), lockBoth(1, parent.session.id, child.session.id)]);
    // At least one victim ran again. Sometimes a second time: its retry can take the first row before the
    // survivor, woken by the victim's end, takes it, and the two deadlock again (seen once in a full run).
    expect(tries).toBeGreaterThanOrEqual(3);
    expect(tries).toBeLessThanOrEqual(2 * PG_DEADLOCK_TRIES);
  });
});
