import { describe, expect, it } from 'vitest';
import { chooseModel, compileRules, globToRegExp, type RoutingFacts } from './choose-model.js';
import { budgetFractionLeft, type BudgetHolder } from '../budget/budget-rules.js';
import type { RoutingRule } from '../../protocol/routing.js';

const facts = (more: Partial<RoutingFacts> = {}): RoutingFacts => ({ agent: 'worker', tags: [], depth: 0, kind: null, budgetLeft: null, ...more });
const NONE: ReadonlySet<string> = new Set();
const choose = (rules: RoutingRule[], f: RoutingFacts, blueprint: { model?: string; models?: string[] } | null = { models: ['own-a', 'own-b'] }, unavailable = NONE) =>
  chooseModel(compileRules(rules), f, blueprint, unavailable);

describe('chooseModel', () => {
  const rules: RoutingRule[] = [
    { name: 'low budget', match: { budget_left: { below: 0.2 } }, model: 'cheap' },
    { name: 'leaves', match: { depth: { min: 2 } }, models: ['small', 'small-2'] },
    { match: { agent: 'rev*', kind: ['review', 'audit'], tags: ['gpu'] }, model: 'reviewer' },
  ];

  it('first match wins: by depth, by budget left, by agent glob, kind and tags', () => {
    expect(choose(rules, facts({ depth: 2 }))).toEqual({
      model: 'small', models: ['small', 'small-2'], rule: { index: 1, name: 'leaves', match: { depth: { min: 2 } } }, reason: 'rule 1 (leaves) matched: depth 2 is within 2..∞',
    });
    // Budget comes first in the file: a leaf of a tree with 15% left gets the cheap model.
    expect(choose(rules, facts({ depth: 3, budgetLeft: 0.15 }))).toMatchObject({ model: 'cheap', rule: { index: 0 }, reason: 'rule 0 (low budget) matched: budget left 0.15 is below 0.2' });
    expect(choose(rules, facts({ depth: 3, budgetLeft: 0.2 })).model).toBe('small');
    expect(choose(rules, facts({ agent: 'reviewer-2', kind: 'audit', tags: ['gpu', 'linux'] }))).toMatchObject({ model: 'reviewer', rule: { index: 2, name: null } });
    expect(choose(rules, facts({ agent: 'reviewer-2', kind: 'audit', tags: ['linux'] })).rule).toBeNull();
    expect(choose(rules, facts({ agent: 'reviewer-2', kind: null, tags: ['gpu'] })).rule).toBeNull();
  });

  it("no rule matched: the blueprint's own list, or its model, or none (the executor's default)", () => {
    expect(choose(rules, facts())).toEqual({ model: 'own-a', models: ['own-a', 'own-b'], rule: null, reason: "no rule matched; the blueprint's own" });
    expect(choose([], facts(), { model: 'only' })).toEqual({ model: 'only', models: ['only'], rule: null, reason: "no routing rules; the blueprint's own" });
    expect(choose([], facts(), {})).toEqual({ model: null, models: [], rule: null, reason: "no routing rules; the blueprint names no model: the executor's default" });
    expect(choose([], facts(), null).model).toBeNull();
  });

  it('skips unavailable models; a rule with none left is passed over, and a blueprint with none left keeps its list', () => {
    const parked = new Set(['small', 'own-a']);
    expect(choose(rules, facts({ depth: 2 }), undefined, parked)).toMatchObject({ model: 'small-2', models: ['small-2'] });
    expect(choose([{ name: 'one', model: 'small' }], facts(), undefined, parked)).toEqual({
      model: 'own-b', models: ['own-b'], rule: null, reason: "rule 0 (one) matched but every model of it is unavailable; the blueprint's own",
    });
    expect(choose([], facts(), { models: ['small', 'own-a'] }, parked)).toMatchObject({ model: 'small', models: ['small', 'own-a'], reason: 'no routing rules; every model of the blueprint is unavailable, kept in order' });
  });

  it('a rule without conditions matches every run; a budget condition never matches a tree without a budget', () => {
    expect(choose([{ model: 'all' }], facts()).reason).toBe('rule 0 matched: it matches every run');
    expect(choose([{ match: { budget_left: { at_least: 0 } }, model: 'x' }], facts()).rule).toBeNull();
    expect(choose([{ match: { depth: { max: 0 } }, model: 'root' }], facts({ depth: 1 })).rule).toBeNull();
  });
});

describe('globToRegExp', () => {
  it('* and ? are wildcards, every other character is literal', () => {
    expect(globToRegExp('rev*').test('reviewer')).toBe(true);
    expect(globToRegExp('a?c').test('abc')).toBe(true);
    expect(globToRegExp('a.c').test('abc')).toBe(false);
    expect(globToRegExp('worker').test('worker-2')).toBe(false);
  });
});

describe('budgetFractionLeft', () => {
  const holder = (budget: BudgetHolder['budget'], cost: number, tokens = 0): BudgetHolder => ({
    id: 'ses_x', depth: 0, descendants: 0, created_at: 0, stop_reason: null, budget,
    tree_totals: { input_tokens: tokens, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0, cost_usd: cost },
  });

  it('the least fraction over every spending limit of every budget; null without one', () => {
    expect(budgetFractionLeft([holder({ usd: 2 }, 1.5)], 0)).toBe(0.25);
    expect(budgetFractionLeft([holder({ usd: 2, tokens: 100 }, 0.2, 90)], 0)).toBeCloseTo(0.1);
    expect(budgetFractionLeft([holder({ usd: 1 }, 5)], 0)).toBe(0);
    expect(budgetFractionLeft([holder({ max_depth: 2 }, 0)], 0)).toBeNull();
    expect(budgetFractionLeft([], 0)).toBeNull();
  });
});
