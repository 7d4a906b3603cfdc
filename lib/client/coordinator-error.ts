/**
 * A coordinator call that failed. `status` 0 means no HTTP answer at all (refused, reset, timed out):
 * the coordinator may be restarting, so such calls are retried; an HTTP error is the coordinator's
 * considered answer, with its `code` and `message` from `{"error": {...}}`. A 2xx answer that does not
 * match its protocol/ schema has code `invalid_reply` and that status (not retried: asking again gets the
 * same answer; the CLI exits 1), its message naming the call and each wrong field.
 */
export class CoordinatorError extends Error {
  override name = 'CoordinatorError';
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  /** No answer from the coordinator (network), or it answered 5xx: worth retrying. */
  get retryable(): boolean {
    return this.status === 0 || this.status >= 500;
  }
}
