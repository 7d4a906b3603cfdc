/** Field schemas shared by several request bodies, each with the message a caller sees when it is wrong. */
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { MAX_PROMPT_CHARS } from './invocation.js';
import { MAX_PAGE_LIMIT, MAX_PRIORITY, MAX_TIMEOUT_S } from './limits.js';
import './zod-config.js';

/** A non-empty identifier or name; `what` names the field in the error. */
export const id = (what: string) => z.string().min(1, { message: `${what} must not be empty` });

export const tags = z.array(z.string().min(1, { message: 'a tag must not be empty' })).max(64, { message: 'at most 64 tags' });

export const prompt = z
  .string()
  .min(1, { message: 'prompt must not be empty' })
  .max(MAX_PROMPT_CHARS, { message: `prompt is longer than ${MAX_PROMPT_CHARS} characters` });

export const priority = z.int({ message: 'priority must be a whole number' }).min(-MAX_PRIORITY).max(MAX_PRIORITY);

export const timeoutS = z
  .int({ message: 'timeout_s must be a whole number of seconds' })
  .positive({ message: 'timeout_s must be a positive whole number of seconds' })
  .max(MAX_TIMEOUT_S, { message: `timeout_s must be at most ${MAX_TIMEOUT_S} (7 days)` });

/** A folder a run executes in: absolute, so it never depends on where a runner happens to be started. */
export const projectDir = id('project_dir').refine((dir) => isAbsolute(dir), {
  message: 'project_dir must be an absolute path (resolve it against your working directory first)',
});

/** What an executor's name (its folder's name) may look like where one is configured (`--default-executor`). */
export const EXECUTOR_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Why `name` cannot be an executor's name, or null when it can. */
export function executorNameProblem(name: string): string | null {
  return EXECUTOR_NAME.test(name) ? null : `"${name}" is not an executor name (up to 128 letters, digits, ".", "_" and "-", starting with a letter or digit)`;
}

/** A page size in a query string. */
export const limit = z.coerce.number().int({ message: 'limit must be a whole number' }).min(1).max(MAX_PAGE_LIMIT);

/** An ISO 8601 time as replies show it, or null when it has not happened. */
export const isoTime = z.string();
