import type { Context, MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import { formatFieldIssues, toFieldIssues } from '../../protocol/field-issues.js';
import { findDeepNesting, findNul, type JsonProblem, storableJson } from '../../protocol/json-shape.js';
import { MAX_JSON_DEPTH } from '../../protocol/limits.js';
import { ApiError } from '../api-error.js';

/** 400 naming each bad field: `{"code":"invalid_request","details":{"issues":[{"path","message"}]}}`. */
export function invalid(error: z.ZodError, where: 'body' | 'query'): ApiError {
  return refused(toFieldIssues(error), where);
}

function refused(issues: JsonProblem[], where: 'body' | 'query' | 'path'): ApiError {
  return new ApiError(400, 'invalid_request', `invalid ${where}: ${formatFieldIssues(issues)}`, { issues });
}

/**
 * What a body may hold besides its schema: `refuse` (the default) answers 400 for a NUL in any string;
 * `replace` stores executor output with NUL replaced by U+FFFD (run reports: what an executor printed is
 * kept, not refused). Nesting deeper than MAX_JSON_DEPTH is refused either way.
 */
export type NulPolicy = 'refuse' | 'replace';

/** Parse and validate the JSON body (an empty body counts as `{}` when `emptyIsObject`). */
export async function readBody<S extends z.ZodType>(c: Context, schema: S, emptyIsObject = false, nul: NulPolicy = 'refuse'): Promise<z.infer<S>> {
  const text = await c.req.text();
  let value: unknown = {};
  if (text.trim() !== '' || !emptyIsObject) {
    // Before parsing: a deep document is refused without any recursive walk over it.
    const deep = findDeepNesting(text, MAX_JSON_DEPTH);
    if (deep !== undefined) throw refused([deep], 'body');
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new ApiError(400, 'invalid_json', `the body is not valid JSON: ${(error as Error).message}`);
    }
  }
  const withNul = nul === 'replace' ? undefined : findNul(value);
  if (withNul !== undefined) throw refused([withNul], 'body');
  if (nul === 'replace') value = storableJson(value);
  const result = schema.safeParse(value);
  if (!result.success) throw invalid(result.error, 'body');
  return result.data;
}

/** Validate the query string. */
export function readQuery<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  const result = schema.safeParse(c.req.query());
  if (!result.success) throw invalid(result.error, 'query');
  return result.data;
}

/**
 * Refuse a NUL in the path or the query string (as `%00`) before any route reads it: PostgreSQL cannot
 * compare or store it, SQLite can, and both stores must answer the same.
 */
export function refuseNulInUrl(): MiddlewareHandler {
  return async (c, next) => {
    // Only `%00` decodes to NUL (a URL cannot hold a raw one): a URL without it is let through unparsed.
    if (!/%00/i.test(c.req.url)) return next();
    const url = new URL(c.req.url);
    const segments = url.pathname.split('/');
    segments.forEach((segment, i) => {
      if (/%00/i.test(segment)) throw refused([{ path: `segment ${i} of ${url.pathname}`, message: 'must not contain NUL (%00)' }], 'path');
    });
    for (const [name, value] of url.searchParams) {
      if (name.includes('\0') || value.includes('\0')) throw refused([{ path: name.replaceAll('\0', '%00'), message: 'must not contain NUL (%00)' }], 'query');
    }
    await next();
  };
}
