import { ApiError } from '../api-error.js';
import { IllegalTransitionError } from '../rules/run-transitions.js';
import { BudgetExceededError, ConflictError, NotFoundError, NotHolderError } from '../store/store-errors.js';

/**
 * The HTTP error for what a handler threw: an ApiError as it is; the store's refusals and the run state
 * machine's illegal transition with their status, code and details; `null` for anything else (a bug, 500).
 */
export function toApiError(error: unknown): ApiError | null {
  if (error instanceof ApiError) return error;
  if (error instanceof NotFoundError) return new ApiError(404, 'not_found', error.message, { [error.kind]: error.id });
  if (error instanceof ConflictError) return new ApiError(409, 'conflict', error.message, error.details);
  if (error instanceof BudgetExceededError) return new ApiError(409, 'budget_exceeded', error.message, error.details);
  if (error instanceof NotHolderError) {
    return new ApiError(403, 'forbidden', error.message, { run: error.runId, runner: error.runnerId });
  }
  if (error instanceof IllegalTransitionError) {
    return new ApiError(409, 'illegal_transition', error.message, { run: error.runId, from: error.from, to: error.to });
  }
  return null;
}
