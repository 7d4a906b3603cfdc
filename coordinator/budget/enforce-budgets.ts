import type { Logger } from 'pino';
import type { Store } from '../store/store.js';
import { type BudgetHolder, type BudgetStop, describeStopReason, passedLimit } from './budget-rules.js';

/** Sessions in flight one sweep looks at for budgets passed (their ancestors' budgets are checked too). */
export const BUDGET_SWEEP_SESSIONS = 1_000;

/** What enforcing budgets needs: the store, and a logger to say which tree it stopped. */
export interface BudgetContext {
  store: Store;
  logger?: Pick<Logger, 'warn'> | undefined;
}

/**
 * Check the budgets on `sessionIds` (those without one are skipped) and stop, with the cascading stop, the
 * subtree of each whose tree passed `usd` or `tokens` or ran longer than `wall_s`. Idempotent: a tree already
 * stopped for its budget is not stopped again. Call it with the budgeted sessions whose totals just changed
 * (a runner's report) and from the sweep (wall time, and trees still in flight).
 * @returns the budgets passed and stopped by this call.
 */
export async function enforceBudgets(ctx: BudgetContext, sessionIds: readonly string[], now = Date.now()): Promise<BudgetStop[]> {
  if (sessionIds.length === 0) return [];
  return stopPassed(ctx, await ctx.store.readBudgetHolders([...new Set(sessionIds)]), now);
}

/** enforceBudgets for every budget with a session in flight on or under it (the sweep's catch-all). */
export async function enforceBudgetsInFlight(ctx: BudgetContext, now = Date.now()): Promise<BudgetStop[]> {
  return stopPassed(ctx, await ctx.store.listBudgetsInFlight(BUDGET_SWEEP_SESSIONS), now);
}

async function stopPassed(ctx: BudgetContext, holders: readonly BudgetHolder[], now: number): Promise<BudgetStop[]> {
  const stops: BudgetStop[] = [];
  // Outer budgets first: stopping one marks the budgets under it, which are then not stopped again.
  for (const holder of [...holders].sort((a, b) => a.depth - b.depth)) {
    if (holder.stop_reason !== null) continue;
    const passed = passedLimit(holder, now);
    if (passed === null) continue;
    const stopped = await ctx.store.stopTreeForBudget(passed, now);
    if (stopped === null) continue;
    ctx.logger?.warn({ session: holder.id, limit: passed.limit, limit_value: passed.limit_value, used: passed.used, runs: stopped.stopped.length, more: stopped.more }, `tree stopped: ${describeStopReason(passed)}`);
    stops.push(passed);
  }
  return stops;
}
