/**
 * Budgets of trees of sessions, as pure rules: what a budget's subtree used, which limit it passed, what
 * it has left, and whether a new child (with its own sub-budget) fits. A budget bounds the subtree under
 * the session it was given to; a session's effective limits are every budget on it and its ancestors.
 */
import { type Budget, type BudgetLeft, type BudgetStatus, totalTokens } from '../../protocol/tree.js';
import type { SessionRecord } from '../types.js';

/** A session that carries a budget, with what its subtree used so far. */
export type BudgetHolder = Pick<SessionRecord, 'id' | 'depth' | 'tree_totals' | 'descendants' | 'created_at' | 'stop_reason'> & { budget: Budget };

/** The limits that stop a tree when passed (the others refuse children). */
export const SPENDING_LIMITS = ['usd', 'tokens', 'wall_s'] as const;
export type SpendingLimit = (typeof SPENDING_LIMITS)[number];

/** Which spending limit of whose budget a tree passed, with the figures (a stop reason without its time). */
export interface BudgetStop {
  reason: 'budget_exceeded';
  limit: SpendingLimit;
  limit_value: number;
  used: number;
  session_id: string;
}

/** Why a child is refused: the limit (`max_depth`, …, or `budget.usd` for a sub-budget), its value, the figure that passed it, whose budget. */
export interface BudgetRefusal {
  limit: string;
  limit_value: number;
  used: number;
  session_id: string;
  message: string;
}

/** What a holder's subtree used: dollars, tokens, seconds since the budget's session was created, sessions (itself included). */
export function usedBy(holder: BudgetHolder, now: number) {
  return {
    usd: holder.tree_totals.cost_usd,
    tokens: totalTokens(holder.tree_totals),
    wall_s: Math.max(0, (now - holder.created_at) / 1000),
    sessions: holder.descendants + 1,
  };
}

const usd = (n: number) => `$${n.toFixed(4)}`;
const figure = (limit: SpendingLimit, n: number) => (limit === 'usd' ? usd(n) : limit === 'tokens' ? `${Math.round(n)} tokens` : `${Math.round(n)} s`);

/** One line saying which limit a stop reason names and the figures, e.g. `usd: $1.0200 used of $1.0000 (budget of ses_x)`. */
export function describeStopReason(reason: Omit<BudgetStop, 'reason'>): string {
  return `budget_exceeded: ${reason.limit} ${figure(reason.limit, reason.used)} used of ${figure(reason.limit, reason.limit_value)} (budget of ${reason.session_id})`;
}

/** The first spending or wall limit the holder's subtree has reached (`usd`, `tokens`, `wall_s`), or null. */
export function passedLimit(holder: BudgetHolder, now: number): BudgetStop | null {
  const used = usedBy(holder, now);
  for (const limit of SPENDING_LIMITS) {
    const value = holder.budget[limit];
    if (value !== undefined && used[limit] >= value) return { reason: 'budget_exceeded', limit, limit_value: value, used: used[limit], session_id: holder.id };
  }
  return null;
}

/** What the holders' subtrees have left to spend and run: the least over them (absent: unlimited), or null when none limits it. */
export function budgetLeft(holders: readonly BudgetHolder[], now: number): BudgetLeft | null {
  const left: BudgetLeft = {};
  for (const holder of holders) {
    const used = usedBy(holder, now);
    for (const limit of SPENDING_LIMITS) {
      const value = holder.budget[limit];
      if (value === undefined) continue;
      const rest = Math.max(0, value - used[limit]);
      left[limit] = Math.min(left[limit] ?? Infinity, rest);
    }
  }
  return Object.keys(left).length === 0 ? null : left;
}

/** What each shape limit leaves for a session at `depth` with `children` children: levels below it, children, sessions. */
function shapeLeft(holders: readonly BudgetHolder[], depth: number, children: number) {
  const left: { max_depth?: number; max_children?: number; max_sessions?: number } = {};
  const least = (key: keyof typeof left, n: number) => (left[key] = Math.max(0, Math.min(left[key] ?? Infinity, n)));
  for (const h of holders) {
    if (h.budget.max_depth !== undefined) least('max_depth', h.budget.max_depth - (depth - h.depth));
    if (h.budget.max_children !== undefined) least('max_children', h.budget.max_children - children);
    if (h.budget.max_sessions !== undefined) least('max_sessions', h.budget.max_sessions - (h.descendants + 1));
  }
  return left;
}

/** A session's budget figures for `GET /v1/sessions/:id` (null when no budget applies to it). `holders`: the budgets on it and its ancestors. */
export function budgetStatus(session: Pick<SessionRecord, 'depth' | 'children'>, holders: readonly BudgetHolder[], now: number): BudgetStatus | null {
  if (holders.length === 0) return null;
  return {
    ...budgetLeft(holders, now),
    ...shapeLeft(holders, session.depth, session.children),
    budgets: holders.map((h) => ({ session_id: h.id, budget: h.budget, used: usedBy(h, now) })),
  };
}

/**
 * Whether a new child of `parent` may be created: its tree was not stopped, no budget on the parent or its
 * ancestors (`holders`) has run out, the child stays within every `max_depth`, `max_children` and
 * `max_sessions`, and its own `budget` (if any) is no larger than what the tree has left.
 * @returns the refusal naming the limit and the figures, or null.
 */
export function refuseChild(
  parent: Pick<SessionRecord, 'id' | 'depth' | 'children' | 'stop_reason'>,
  holders: readonly BudgetHolder[],
  budget: Budget | null,
  now: number,
): BudgetRefusal | null {
  const stopped = parent.stop_reason as BudgetStop | null;
  if (stopped !== null && stopped.reason === 'budget_exceeded') {
    return { limit: stopped.limit, limit_value: stopped.limit_value, used: stopped.used, session_id: stopped.session_id, message: `the tree was stopped, ${describeStopReason(stopped)}; no session may be added to it` };
  }
  const depth = parent.depth + 1;
  for (const h of holders) {
    const passed = passedLimit(h, now);
    if (passed !== null) return { limit: passed.limit, limit_value: passed.limit_value, used: passed.used, session_id: passed.session_id, message: `${describeStopReason(passed)}; nothing is left for a new session` };
    const used = usedBy(h, now);
    const b = h.budget;
    if (b.max_depth !== undefined && depth - h.depth > b.max_depth) {
      return refusal('max_depth', b.max_depth, depth - h.depth, h.id, `the budget of ${h.id} allows ${b.max_depth} level(s) below it; this session would be ${depth - h.depth} below`);
    }
    if (b.max_children !== undefined && parent.children + 1 > b.max_children) {
      return refusal('max_children', b.max_children, parent.children, h.id, `the budget of ${h.id} allows ${b.max_children} children per session; ${parent.id} has ${parent.children} already`);
    }
    if (b.max_sessions !== undefined && used.sessions + 1 > b.max_sessions) {
      return refusal('max_sessions', b.max_sessions, used.sessions, h.id, `the budget of ${h.id} allows ${b.max_sessions} sessions in its tree (itself included); it has ${used.sessions} already`);
    }
  }
  return budget === null ? null : refuseSubBudget(budget, depth, holders, now);
}

function refusal(limit: string, value: number, used: number, sessionId: string, why: string): BudgetRefusal {
  return { limit, limit_value: value, used, session_id: sessionId, message: `${limit}: ${why}` };
}

/** Limits of a sub-budget for a child at `depth` that no holder allows: each larger than what that holder has left. */
function subBudgetExcess(budget: Budget, depth: number, holders: readonly BudgetHolder[], now: number): BudgetRefusal[] {
  const excess: BudgetRefusal[] = [];
  for (const h of holders) {
    const used = usedBy(h, now);
    const left: Partial<Record<keyof Budget, number>> = {};
    for (const limit of SPENDING_LIMITS) if (h.budget[limit] !== undefined) left[limit] = Math.max(0, h.budget[limit] - used[limit]);
    if (h.budget.max_depth !== undefined) left.max_depth = h.budget.max_depth - (depth - h.depth);
    if (h.budget.max_children !== undefined) left.max_children = h.budget.max_children;
    if (h.budget.max_sessions !== undefined) left.max_sessions = h.budget.max_sessions - used.sessions;
    for (const [key, rest] of Object.entries(left) as Array<[keyof Budget, number]>) {
      const asked = budget[key];
      if (asked === undefined || asked <= rest) continue;
      const shown = key === 'usd' ? `${usd(rest)} of ${usd(h.budget.usd!)}` : `${rest} of ${h.budget[key]}`;
      excess.push({ limit: `budget.${key}`, limit_value: rest, used: asked, session_id: h.id, message: `budget.${key}: ${asked} is more than the tree of ${h.id} has left (${shown})` });
    }
  }
  return excess;
}

function refuseSubBudget(budget: Budget, depth: number, holders: readonly BudgetHolder[], now: number): BudgetRefusal | null {
  return subBudgetExcess(budget, depth, holders, now)[0] ?? null;
}

/** A blueprint's default budget for a child, cut to what the tree has left (a default never refuses a child). */
export function clampSubBudget(budget: Budget, depth: number, holders: readonly BudgetHolder[], now: number): Budget {
  const clamped: Budget = { ...budget };
  for (const excess of subBudgetExcess(budget, depth, holders, now)) {
    const key = excess.limit.slice('budget.'.length) as keyof Budget;
    const value = Math.min(clamped[key] ?? Infinity, excess.limit_value);
    // Kept within BudgetSchema's minimums (a tree with nothing left refused the child already).
    clamped[key] = key === 'usd' ? Math.max(value, 1e-6) : key === 'max_depth' || key === 'max_children' ? Math.max(0, Math.floor(value)) : Math.max(1, Math.floor(value));
  }
  return clamped;
}

/**
 * The fraction of the budgets' spending limits left, 0..1: the least over every `usd`, `tokens` and
 * `wall_s` of every holder (what routing's `budget_left` matches). Null when none of them has one.
 */
export function budgetFractionLeft(holders: readonly BudgetHolder[], now: number): number | null {
  let least: number | null = null;
  for (const holder of holders) {
    const used = usedBy(holder, now);
    for (const limit of SPENDING_LIMITS) {
      const value = holder.budget[limit];
      if (value === undefined || value <= 0) continue;
      const fraction = Math.max(0, value - used[limit]) / value;
      least = least === null ? fraction : Math.min(least, fraction);
    }
  }
  return least;
}
