import { TERMINAL_RUN_STATUSES, type RunStatus } from '../../protocol/statuses.js';

/**
 * The run state machine. `queued → claimed → running → succeeded | failed | cancelled | timed_out`;
 * a claimed or running run whose runner's lease expired becomes `lost` (then `cancelled` if it was asked
 * to stop); `queued` is re-entered for a retry (infrastructure failure with attempts left) or when a claim
 * is released.
 */
export const RUN_TRANSITIONS: Readonly<Record<RunStatus, readonly RunStatus[]>> = {
  queued: ['claimed', 'cancelled', 'failed'],
  claimed: ['running', 'queued', 'lost', 'succeeded', 'failed', 'cancelled', 'timed_out'],
  running: ['succeeded', 'failed', 'cancelled', 'timed_out', 'lost', 'queued'],
  lost: ['queued', 'failed', 'cancelled'],
  succeeded: [],
  failed: [],
  cancelled: [],
  timed_out: [],
};

/** The run states a runner may hold. */
export const ACTIVE_RUN_STATUSES: readonly RunStatus[] = ['claimed', 'running'];

/** An attempt to move a run between two states the machine does not connect. */
export class IllegalTransitionError extends Error {
  override name = 'IllegalTransitionError';
  constructor(
    readonly runId: string,
    readonly from: RunStatus,
    readonly to: RunStatus,
  ) {
    super(`run ${runId} cannot go from ${from} to ${to}`);
  }
}

/** Whether `from → to` is a legal move. */
export function canTransition(from: RunStatus, to: RunStatus): boolean {
  return RUN_TRANSITIONS[from].includes(to);
}

/** Throw an IllegalTransitionError naming both states unless `from → to` is legal. */
export function assertTransition(runId: string, from: RunStatus, to: RunStatus): void {
  if (!canTransition(from, to)) throw new IllegalTransitionError(runId, from, to);
}

/** Whether a run in this state is over for good. */
export function isTerminal(status: RunStatus): boolean {
  return TERMINAL_RUN_STATUSES.includes(status);
}
