import { describe, expect, it } from 'vitest';
import { ApiError } from '../api-error.js';
import { IllegalTransitionError } from '../rules/run-transitions.js';
import { ConflictError, NotFoundError, NotHolderError } from '../store/store-errors.js';
import { toApiError } from './error-status.js';

const body = (error: unknown) => {
  const mapped = toApiError(error);
  return mapped === null ? null : { status: mapped.status, ...mapped.toJSON().error };
};

describe('toApiError', () => {
  it('gives each domain refusal its status, code and details', () => {
    expect(body(new NotFoundError('session', 'ses_1'))).toEqual({
      status: 404, code: 'not_found', message: 'session ses_1 not found', details: { session: 'ses_1' },
    });
    expect(body(new ConflictError('session ses_1 is running; stop it before deleting it', { session: 'ses_1', status: 'running' }))).toEqual({
      status: 409, code: 'conflict', message: 'session ses_1 is running; stop it before deleting it', details: { session: 'ses_1', status: 'running' },
    });
    expect(body(new NotHolderError('run_1', 'rnr_2'))).toEqual({
      status: 403, code: 'forbidden', message: 'runner rnr_2 does not hold run run_1', details: { run: 'run_1', runner: 'rnr_2' },
    });
    expect(body(new IllegalTransitionError('run_1', 'succeeded', 'running'))).toEqual({
      status: 409, code: 'illegal_transition', message: 'run run_1 cannot go from succeeded to running',
      details: { run: 'run_1', from: 'succeeded', to: 'running' },
    });
  });

  it('keeps an ApiError and leaves anything else to the 500 handler', () => {
    const error = new ApiError(401, 'unauthorized', 'no');
    expect(toApiError(error)).toBe(error);
    expect(toApiError(new TypeError('bug'))).toBeNull();
  });
});
