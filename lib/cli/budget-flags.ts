import { parseDuration } from '../../protocol/duration.js';
import { MAX_TREE_DEPTH } from '../../protocol/limits.js';
import { type Budget, BudgetSchema } from '../../protocol/tree.js';
import { CliError, EXIT_USAGE } from './cli-error.js';

/** `run`'s budget flags, as commander hands them over (text). */
export interface BudgetFlags {
  budgetUsd?: string | undefined;
  budgetTokens?: string | undefined;
  maxWall?: string | undefined;
  maxDepth?: string | undefined;
  maxChildren?: string | undefined;
  maxSessions?: string | undefined;
}

const usage = (message: string) => new CliError(message, EXIT_USAGE);

/** A whole number in [min, max] from flag text, or a usage error naming the flag and the range. */
function whole(text: string, flag: string, min: number, max: number): number {
  const trimmed = text.trim();
  if (!/^\+?\d+$/.test(trimmed)) throw usage(`${flag}: "${text}" is not a whole number (${min} to ${max})`);
  const value = Number(trimmed);
  if (value < min || value > max) throw usage(`${flag}: ${trimmed} is out of range (${min} to ${max})`);
  return value;
}

/** US dollars: a decimal number more than 0 (`5`, `0.25`), at most 1,000,000. */
function dollars(text: string): number {
  const trimmed = text.trim().replace(/^\$/, '');
  if (!/^\d+(\.\d+)?$|^\.\d+$/.test(trimmed)) throw usage(`--budget-usd: "${text}" is not an amount of US dollars (e.g. 5 or 0.25)`);
  const value = Number(trimmed);
  if (!(value > 0) || value > 1e6) throw usage(`--budget-usd: ${trimmed} is out of range (more than 0, at most 1000000)`);
  return value;
}

/** Seconds of wall time from a duration (`90s`, `10m`, `2h`) or a number of seconds, rounded up. */
function wallSeconds(text: string): number {
  let ms: number;
  try {
    ms = /^\s*\d+\s*$/.test(text) ? Number(text) * 1000 : parseDuration(text, '--max-wall');
  } catch (error) {
    throw usage((error as Error).message);
  }
  if (!(ms > 0)) throw usage(`--max-wall: "${text}" must be longer than 0`);
  const seconds = Math.ceil(ms / 1000);
  if (seconds > 604_800) throw usage(`--max-wall: "${text}" is longer than the most allowed, 7d (168h)`);
  return seconds;
}

/**
 * `--budget-usd`, `--budget-tokens`, `--max-wall`, `--max-depth`, `--max-children`, `--max-sessions`: the
 * session's `budget`, or undefined when none is given. A bad value is a usage error naming the flag.
 */
export function parseBudgetFlags(flags: BudgetFlags): Budget | undefined {
  const budget: Budget = {};
  if (flags.budgetUsd !== undefined) budget.usd = dollars(flags.budgetUsd);
  if (flags.budgetTokens !== undefined) budget.tokens = whole(flags.budgetTokens, '--budget-tokens', 1, 1e12);
  if (flags.maxWall !== undefined) budget.wall_s = wallSeconds(flags.maxWall);
  if (flags.maxDepth !== undefined) budget.max_depth = whole(flags.maxDepth, '--max-depth', 0, MAX_TREE_DEPTH);
  if (flags.maxChildren !== undefined) budget.max_children = whole(flags.maxChildren, '--max-children', 0, 100_000);
  if (flags.maxSessions !== undefined) budget.max_sessions = whole(flags.maxSessions, '--max-sessions', 1, 1_000_000);
  if (Object.keys(budget).length === 0) return undefined;
  // The one schema of a budget has the last word (the flags above only name the flag in their message).
  return BudgetSchema.parse(budget);
}
