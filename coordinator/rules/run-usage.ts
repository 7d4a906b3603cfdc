import { MAX_RUN_COST_USD, MAX_RUN_TOKENS } from '../../protocol/limits.js';
import { ZERO_USAGE, type UsageTotals } from '../../protocol/tree.js';

/** The token counters of a usage event and of every total. */
export const TOKEN_COUNTERS = ['input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens'] as const;
/** Every counter of a total: the tokens and `cost_usd`. */
export const USAGE_COUNTERS = [...TOKEN_COUNTERS, 'cost_usd'] as const;

/**
 * What a run's usage counts so far, kept on `runs.usage`: the counters of its current attempt (each the
 * highest its executor reported), and for an executor whose cost covers its whole session
 * (`cost_scope: "executor_session"`) the figure it reported and the part of it earlier runs counted.
 */
export interface CountedRunUsage extends UsageTotals {
  attempt: number;
  /** The executor session's cost figure as last reported (cost_scope `executor_session` only). */
  executor_session_cost_usd?: number;
  /** What of that figure earlier runs of the session counted already: this run's cost is the rest. */
  cost_base_usd?: number;
}

/** A reported figure as a count: a finite number above 0, at most `max`; anything else counts 0. */
function figure(value: unknown, max: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.min(value, max) : 0;
}

/** Whether a usage event's cost covers the executor's whole session (Claude Code's does), not the run alone. */
export function coversExecutorSession(event: Record<string, unknown>): boolean {
  return event.cost_scope === 'executor_session' && typeof event.cost_usd === 'number';
}

/**
 * Whether counting `event` needs the cost earlier runs counted of the executor session (see countRunUsage's
 * `costBase`): only for an executor-session cost, the first time the run reports one.
 */
export function needsCostBase(previous: CountedRunUsage | null, event: Record<string, unknown>): boolean {
  return coversExecutorSession(event) && previous?.cost_base_usd === undefined;
}

/** A stored `runs.usage`, or null when there is none (or it is not one of ours). */
export function storedRunUsage(value: Record<string, unknown> | null): CountedRunUsage | null {
  if (value === null || typeof value.attempt !== 'number') return null;
  return value as unknown as CountedRunUsage;
}

/**
 * Count a run's new usage report (the totals of its attempt so far) against what it counted before:
 * @returns the run's new counted usage and what it adds to the totals (never below 0).
 *
 * - A new attempt restarts its executor, whose usage starts at 0: its reports add on top of what earlier
 *   attempts counted (their usage stays counted), so `previous` of another attempt counts as nothing.
 * - A counter never goes down within an attempt: a lower figure than before adds nothing (and a later
 *   higher one adds only the difference to the highest).
 * - Figures that are not finite numbers above 0 count 0; figures above MAX_RUN_TOKENS / MAX_RUN_COST_USD
 *   count as those.
 * - An executor-session cost (coversExecutorSession): the run's own cost is the figure minus `costBase`,
 *   what earlier runs of the same executor session counted (given when needsCostBase; kept on the run
 *   afterwards, also for its later attempts, so a resume's retry does not count the session's past again).
 */
export function countRunUsage(
  previous: CountedRunUsage | null,
  attempt: number,
  event: Record<string, unknown>,
  costBase = 0,
): { counted: CountedRunUsage; delta: UsageTotals } {
  const before = previous !== null && previous.attempt === attempt ? previous : null;
  const counted: CountedRunUsage = { attempt, ...ZERO_USAGE };
  const delta: UsageTotals = { ...ZERO_USAGE };
  for (const field of TOKEN_COUNTERS) {
    counted[field] = Math.max(before?.[field] ?? 0, Math.floor(figure(event[field], MAX_RUN_TOKENS)));
    delta[field] = counted[field] - (before?.[field] ?? 0);
  }
  let cost = figure(event.cost_usd, MAX_RUN_COST_USD);
  const base = previous?.cost_base_usd ?? (coversExecutorSession(event) ? figure(costBase, MAX_RUN_COST_USD) : undefined);
  if (base !== undefined) counted.cost_base_usd = base;
  if (coversExecutorSession(event)) {
    counted.executor_session_cost_usd = Math.max(before?.executor_session_cost_usd ?? 0, cost);
    cost = Math.max(0, counted.executor_session_cost_usd - base!);
  } else if (before?.executor_session_cost_usd !== undefined) {
    counted.executor_session_cost_usd = before.executor_session_cost_usd;
  }
  counted.cost_usd = Math.max(before?.cost_usd ?? 0, cost);
  delta.cost_usd = counted.cost_usd - (before?.cost_usd ?? 0);
  return { counted, delta };
}

/** Whether a delta adds anything. */
export function addsUsage(delta: UsageTotals): boolean {
  return USAGE_COUNTERS.some((field) => delta[field] > 0);
}

/** Two totals added. Pure. */
export function sumUsage(a: UsageTotals, b: UsageTotals): UsageTotals {
  const sum: UsageTotals = { ...ZERO_USAGE };
  for (const field of USAGE_COUNTERS) sum[field] = a[field] + b[field];
  return sum;
}
