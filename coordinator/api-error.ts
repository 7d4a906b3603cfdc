import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ErrorBody, ErrorCode } from '../protocol/errors.js';

/**
 * The HTTP layer's error for anything a client should see; one handler turns it into
 * `{"error": {"code", "message", "details"}}` with `status` (the Hono HTTPException model). The store
 * throws its own errors (store/store-errors.ts), which http/error-status.ts maps to this.
 */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }

  /** The JSON body for this error. */
  toJSON(): ErrorBody & { error: { code: ErrorCode; details: Record<string, unknown> } } {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}
