import { describe, expect, it } from 'vitest';
import { ZERO_USAGE } from '../../protocol/tree.js';
import { type BudgetHolder, budgetLeft, clampSubBudget, passedLimit, refuseChild } from './budget-rules.js';

const NOW = 1_000_000;
const holder = (id: string, budget: BudgetHolder['budget'], extra: Partial<BudgetHolder> = {}): BudgetHolder => ({
  id, depth: 0, descendants: 0, created_at: NOW, stop_reason: null, tree_totals: { ...ZERO_USAGE }, budget, ...extra,
});
const parent = { id: 'ses_p', depth: 0, children: 0, stop_reason: null };

describe('budget rules', () => {
  it('passedLimit: usd, then tokens (every kind counted), then wall time; at the limit counts as passed', () => {
    expect(passedLimit(holder('a', { usd: 1 }, { tree_totals: { ...ZERO_USAGE, cost_usd: 0.99 } }), NOW)).toBeNull();
    expect(passedLimit(holder('a', { usd: 1 }, { tree_totals: { ...ZERO_USAGE, cost_usd: 1 } }), NOW)).toMatchObject({ limit: 'usd', used: 1 });
    const tokens = { ...ZERO_USAGE, input_tokens: 1, output_tokens: 2, cache_read_input_tokens: 3, cache_creation_input_tokens: 4 };
    expect(passedLimit(holder('a', { tokens: 10 }, { tree_totals: tokens }), NOW)).toMatchObject({ limit: 'tokens', used: 10 });
    expect(passedLimit(holder('a', { wall_s: 5 }), NOW + 4_999)).toBeNull();
    expect(passedLimit(holder('a', { wall_s: 5 }), NOW + 5_000)).toMatchObject({ limit: 'wall_s', used: 5 });
    expect(passedLimit(holder('a', { max_depth: 0 }), NOW + 1e9)).toBeNull();
  });

  it('budgetLeft: the least over every budget, never below 0; null when none limits spending', () => {
    const spent = { ...ZERO_USAGE, cost_usd: 0.75, input_tokens: 100 };
    expect(budgetLeft([holder('a', { usd: 1, tokens: 1000 }, { tree_totals: spent }), holder('b', { usd: 2, wall_s: 60 }, { created_at: NOW - 10_000 })], NOW)).toEqual({ usd: 0.25, tokens: 900, wall_s: 50 });
    expect(budgetLeft([holder('a', { usd: 0.5 }, { tree_totals: spent })], NOW)).toEqual({ usd: 0 });
    expect(budgetLeft([holder('a', { max_depth: 2 })], NOW)).toBeNull();
    expect(budgetLeft([], NOW)).toBeNull();
  });

  it('refuseChild: a stopped tree first, then each budget deepest first, then the sub-budget', () => {
    const stop = { reason: 'budget_exceeded', limit: 'usd', limit_value: 1, used: 2, session_id: 'ses_r' };
    expect(refuseChild({ ...parent, stop_reason: stop }, [], null, NOW)).toMatchObject({ limit: 'usd', session_id: 'ses_r' });
    expect(refuseChild(parent, [holder('ses_p', { max_depth: 0 })], null, NOW)).toMatchObject({ limit: 'max_depth', limit_value: 0, used: 1 });
    expect(refuseChild({ ...parent, depth: 2 }, [holder('ses_r', { max_depth: 3 })], null, NOW)).toBeNull();
    expect(refuseChild({ ...parent, children: 2 }, [holder('ses_p', { max_children: 2 })], null, NOW)).toMatchObject({ limit: 'max_children' });
    expect(refuseChild(parent, [holder('ses_p', { max_sessions: 1 })], null, NOW)).toMatchObject({ limit: 'max_sessions', limit_value: 1, used: 1 });
    expect(refuseChild(parent, [holder('ses_p', { usd: 1 })], { usd: 1 }, NOW)).toBeNull();
    expect(refuseChild(parent, [holder('ses_p', { usd: 1 })], { usd: 1.01 }, NOW)).toMatchObject({ limit: 'budget.usd', limit_value: 1, used: 1.01 });
    expect(refuseChild(parent, [holder('ses_p', { max_children: 3 })], { max_children: 4 }, NOW)).toMatchObject({ limit: 'budget.max_children', limit_value: 3 });
  });

  it('clampSubBudget: cuts each limit to what is left, keeps the schema minimums, adds no limit', () => {
    const spent = holder('ses_p', { usd: 1, tokens: 100, max_sessions: 10 }, { tree_totals: { ...ZERO_USAGE, cost_usd: 0.9, input_tokens: 99 }, descendants: 3 });
    const clamped = clampSubBudget({ usd: 5, tokens: 50, max_sessions: 20, max_depth: 4 }, 1, [spent], NOW);
    expect(clamped).toEqual({ usd: expect.closeTo(0.1, 9), tokens: 1, max_sessions: 6, max_depth: 4 });
  });
});
