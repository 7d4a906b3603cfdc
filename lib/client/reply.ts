import type { z } from 'zod';
import { ErrorBodySchema } from '../../protocol/errors.js';
import { formatFieldIssues, toFieldIssues } from '../../protocol/field-issues.js';
import { CoordinatorError } from './coordinator-error.js';

/** What a call is, for messages: `GET /v1/sessions/ses_1`. */
export interface CallName {
  method: string;
  path: string;
}

/** zod's parse options for every reply: none, or `{ jitless: true }` after parseRepliesWithoutJit(). */
let parseOptions: { jitless: true } | undefined;

/**
 * Parse replies without zod's JIT for the rest of this process: for commands that start, ask, print and
 * exit. zod 4 compiles a fast parser for each object schema (`new Function`) on its first parse, which
 * pays back over thousands of parses in the runner but not in a one-shot command: measured on the first
 * parse of a 25-session `GET /v1/sessions` page, 20–37 ms with the JIT, 2–3 ms without (second parse
 * 0.6 ms vs 0.35 ms). The runner and the coordinator keep the JIT.
 */
export function parseRepliesWithoutJit(): void {
  parseOptions = { jitless: true };
}

function parseText(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** An HTTP error answer as a CoordinatorError carrying the coordinator's `{"error": {code, message, details}}`. */
export function errorFromReply(call: CallName, status: number, text: string): CoordinatorError {
  const parsed = ErrorBodySchema.safeParse(parseText(text), parseOptions);
  if (!parsed.success) return new CoordinatorError(`${call.method} ${call.path} answered ${status}`, status, 'http_error');
  const { message, code, details } = parsed.data.error;
  return new CoordinatorError(message, status, code, details);
}

/**
 * Parse a successful answer with its reply schema. A reply that does not match is a CoordinatorError
 * `invalid_reply` (with the answer's status, so not retryable: asking again gets the same answer) whose
 * message names the call and each wrong field.
 */
export function parseReply<S extends z.ZodType>(call: CallName, status: number, value: unknown, schema: S): z.infer<S> {
  const result = schema.safeParse(value, parseOptions);
  if (result.success) return result.data;
  const issues = toFieldIssues(result.error);
  throw new CoordinatorError(`${call.method} ${call.path}: the coordinator's reply is not valid: ${formatFieldIssues(issues)}`, status, 'invalid_reply', { issues });
}

/** A reply body: an HTTP error becomes a CoordinatorError; anything else is parsed with `schema`. */
export function readReply<S extends z.ZodType>(call: CallName, status: number, text: string, schema: S): z.infer<S> {
  if (status >= 400) throw errorFromReply(call, status, text);
  return parseReply(call, status, parseText(text), schema);
}
