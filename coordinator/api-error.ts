import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ErrorBody, ErrorCode } from '../protocol/errors.js';


/**
 * The one error the coordinator throws for anything a client should see; one handler turns it into
 * `{"error": {"code", "message", "details"}}` with `status` (the Hono HTTPException model).
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

/** 404 for a missing resource, naming it. */
export function notFound(kind: string, id: string): ApiError {
  return new ApiError(404, 'not_found', `${kind} ${id} not found`, { [kind]: id });
}

/** 409 for a request that conflicts with the resource's state. */
export function conflict(message: string, details: Record<string, unknown> = {}): ApiError {
  return new ApiError(409, 'conflict', message, details);
}
