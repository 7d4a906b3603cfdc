import type { Context } from 'hono';
import type { z } from 'zod';
import { formatFieldIssues, toFieldIssues } from '../../protocol/field-issues.js';
import { ApiError } from '../api-error.js';

/** 400 naming each bad field: `{"code":"invalid_request","details":{"issues":[{"path","message"}]}}`. */
export function invalid(error: z.ZodError, where: 'body' | 'query'): ApiError {
  const issues = toFieldIssues(error);
  return new ApiError(400, 'invalid_request', `invalid ${where}: ${formatFieldIssues(issues)}`, { issues });
}

/** Parse and validate the JSON body (an empty body counts as `{}` when `emptyIsObject`). */
export async function readBody<S extends z.ZodType>(c: Context, schema: S, emptyIsObject = false): Promise<z.infer<S>> {
  const text = await c.req.text();
  let value: unknown = {};
  if (text.trim() !== '' || !emptyIsObject) {
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new ApiError(400, 'invalid_json', `the body is not valid JSON: ${(error as Error).message}`);
    }
  }
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
