/**
 * Why a store operation refused, in the store's words. The HTTP layer gives each its status and error
 * code (coordinator/http/error-status.ts); the run state machine's IllegalTransitionError joins them.
 */

/** A session, run or agent the request names does not exist. */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
  constructor(
    /** What was looked for: `session`, `run`, `agent`. */
    readonly kind: string,
    readonly id: string,
  ) {
    super(`${kind} ${id} not found`);
  }
}

/** The record's current state does not allow the request; `details` names the record and its state. */
export class ConflictError extends Error {
  override name = 'ConflictError';
  constructor(
    message: string,
    readonly details: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** A runner reported about a run it does not hold (another runner claimed it, or it was taken back). */
export class NotHolderError extends Error {
  override name = 'NotHolderError';
  constructor(
    readonly runId: string,
    readonly runnerId: string,
  ) {
    super(`runner ${runnerId} does not hold run ${runId}`);
  }
}

/**
 * A budget refuses the request: a child past `max_depth`, `max_children` or `max_sessions`, a sub-budget
 * larger than what the tree has left, or a tree already stopped for its budget. Names the limit and the figures.
 */
export class BudgetExceededError extends Error {
  override name = 'BudgetExceededError';
  constructor(
    message: string,
    readonly details: { limit: string; limit_value: number; used: number; budget_session_id: string },
  ) {
    super(message);
  }
}

/** One item of a batch (`createSessions`) was refused: `cause` says why; the batch's transaction was rolled back. */
export class BatchItemError extends Error {
  override name = 'BatchItemError';
  constructor(
    readonly index: number,
    override readonly cause: unknown,
  ) {
    super(`item ${index}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}
