/** The one error body of the HTTP API: `{"error": {"code", "message", "details"}}` with an HTTP status. */
import { z } from 'zod';
import './zod-config.js';

/** Error codes the API answers with (the `error.code` field). */
export const ERROR_CODES = [
  'invalid_request',
  'invalid_json',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'illegal_transition',
  'budget_exceeded',
  'payload_too_large',
  'upstream_failed',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Clients read the code as a string: a newer coordinator may answer with a code this list lacks. */
export const ErrorBodySchema = z.looseObject({
  error: z.looseObject({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;
