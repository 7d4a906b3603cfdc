/** Field schemas shared by several request bodies, each with the message a caller sees when it is wrong. */
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { MAX_PROMPT_CHARS } from './invocation.js';
import { MAX_PAGE_LIMIT, MAX_TIMEOUT_S } from './limits.js';
import './zod-config.js';

/** A non-empty identifier or name; `what` names the field in the error. */
export const id = (what: string) => z.string().min(1, { message: `${what} must not be empty` });

export const tags = z.array(z.string().min(1, { message: 'a tag must not be empty' })).max(64, { message: 'at most 64 tags' });

export const prompt = z
  .string()
  .min(1, { message: 'prompt must not be empty' })
  .max(MAX_PROMPT_CHARS, { message: `prompt is longer than ${MAX_PROMPT_CHARS} characters` });

export const priority = z.int({ message: 'priority must be a whole number' }).min(-1000).max(1000);

export const timeoutS = z
  .int({ message: 'timeout_s must be a whole number of seconds' })
  .positive({ message: 'timeout_s must be a positive whole number of seconds' })
  .max(MAX_TIMEOUT_S, { message: `timeout_s must be at most ${MAX_TIMEOUT_S} (7 days)` });

/** A folder a run executes in: absolute, so it never depends on where a runner happens to be started. */
export const projectDir = id('project_dir').refine((dir) => isAbsolute(dir), {
  message: 'project_dir must be an absolute path (resolve it against your working directory first)',
});

/** A page size in a query string. */
export const limit = z.coerce.number().int({ message: 'limit must be a whole number' }).min(1).max(MAX_PAGE_LIMIT);

/** An ISO 8601 time as replies show it, or null when it has not happened. */
export const isoTime = z.string();
