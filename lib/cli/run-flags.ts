import { parseDuration } from '../../protocol/duration.js';
import { MAX_PRIORITY, MAX_RUN_ATTEMPTS } from '../../protocol/limits.js';
import type { CreateSession } from '../../protocol/sessions.js';
import { KIND_TOKEN } from '../../protocol/routing.js';
import { type BudgetFlags, parseBudgetFlags } from './budget-flags.js';
import { CliError, EXIT_USAGE } from './cli-error.js';

/** The flags of `run` that shape the session it creates (as commander hands them over: text). */
export interface RunShapeFlags extends BudgetFlags {
  tags?: string | undefined;
  timeout?: string | undefined;
  priority?: string | undefined;
  maxAttempts?: string | undefined;
  kind?: string | undefined;
}

const usage = (message: string) => new CliError(message, EXIT_USAGE);

/** A whole number in [min, max] from flag text, or a usage error naming the flag and the range. */
function wholeNumber(text: string, flag: string, min: number, max: number): number {
  const trimmed = text.trim();
  if (!/^[+-]?\d+$/.test(trimmed)) throw usage(`${flag}: "${text}" is not a whole number (${min} to ${max})`);
  const value = Number(trimmed);
  if (value < min || value > max) throw usage(`${flag}: ${trimmed} is out of range (${min} to ${max})`);
  return value;
}

/** `--tags a,b`: the tags, trimmed; a list with no tag in it is refused rather than read as "any runner". */
export function parseTagList(text: string, flag = '--tags'): string[] {
  const tags = text.split(',').map((t) => t.trim()).filter((t) => t !== '');
  if (tags.length === 0) throw usage(`${flag}: "${text}" names no tag (give e.g. --tags gpu,linux)`);
  return tags;
}

/**
 * Turn `run`'s `--tags`, `--timeout`, `--priority`, `--max-attempts`, `--kind` and budget flags into fields of the session to
 * create, checked here so a bad value is a usage error naming the flag before anything is submitted.
 * `--timeout` is rounded up to whole seconds (the API's `timeout_s`), at most 7 days.
 */
export function parseRunShape(flags: RunShapeFlags): Pick<CreateSession, 'tags' | 'timeout_s' | 'priority' | 'max_attempts' | 'budget' | 'kind'> {
  const shape: Pick<CreateSession, 'tags' | 'timeout_s' | 'priority' | 'max_attempts' | 'budget' | 'kind'> = {};
  if (flags.tags !== undefined) shape.tags = parseTagList(flags.tags);
  if (flags.timeout !== undefined) {
    let ms: number;
    try {
      ms = parseDuration(flags.timeout, '--timeout');
    } catch (error) {
      throw usage((error as Error).message);
    }
    if (ms <= 0) throw usage(`--timeout: "${flags.timeout}" must be longer than 0`);
    shape.timeout_s = Math.ceil(ms / 1000);
  }
  if (flags.priority !== undefined) shape.priority = wholeNumber(flags.priority, '--priority', -MAX_PRIORITY, MAX_PRIORITY);
  if (flags.maxAttempts !== undefined) shape.max_attempts = wholeNumber(flags.maxAttempts, '--max-attempts', 1, MAX_RUN_ATTEMPTS);
  if (flags.kind !== undefined) {
    if (!KIND_TOKEN.test(flags.kind)) throw usage(`--kind: "${flags.kind}" must be a short token: letters, digits, ".", "_", "-" or ":" (at most 64), starting with a letter or digit`);
    shape.kind = flags.kind;
  }
  const budget = parseBudgetFlags(flags);
  if (budget !== undefined) shape.budget = budget;
  return shape;
}
