import type { OutcomeKind } from '../../protocol/outcome.js';
import type { RunStatus } from '../../protocol/statuses.js';
import { backoffDelay, type BackoffPolicy } from '../../lib/retry/backoff.js';

/** What happens to a run after it ended or was lost. */
export interface FinishDecision {
  status: RunStatus;
  /** Set when the run is re-queued: when it may be claimed again, and its next attempt number. */
  retry: { availableAt: number; attempt: number } | null;
  /** Set when a retry was due but no online runner may take it (`placeable: false`): the run ends instead. */
  unplaceable?: true;
}

const STATUS_BY_KIND: Record<OutcomeKind, RunStatus> = {
  succeeded: 'succeeded',
  failed: 'failed',
  rejected: 'failed',
  infra_failed: 'failed',
  timed_out: 'timed_out',
  cancelled: 'cancelled',
};

/**
 * Decide a run's next state from how it ended. Only infrastructure failures (`infra_failed`, exit 75, and
 * `lost`) are retried, while attempts remain, after an exponential backoff with full jitter (`random` drawn once).
 * A run someone asked to stop is never retried: such a failure ends it `cancelled` (a stop is durable). A retry
 * no online runner may take (`placeable: false`: its executor failed it with exit 75 on every runner that
 * serves it) is not made: the run fails (`unplaceable`). Pure given `random`.
 */
export function decideFinish(
  kind: OutcomeKind | 'lost',
  run: { attempt: number; max_attempts: number; stop_requested?: boolean; placeable?: boolean },
  now: number,
  backoff: BackoffPolicy,
  random: () => number = backoff.random ?? Math.random,
): FinishDecision {
  const retryable = kind === 'infra_failed' || kind === 'lost';
  if (retryable && run.stop_requested === true) return { status: 'cancelled', retry: null };
  if (retryable && run.attempt < run.max_attempts && run.placeable === false) return { status: 'failed', retry: null, unplaceable: true };
  if (retryable && run.attempt < run.max_attempts) {
    return {
      status: 'queued',
      retry: { availableAt: now + backoffDelay(run.attempt, backoff, random), attempt: run.attempt + 1 },
    };
  }
  return { status: kind === 'lost' ? 'failed' : STATUS_BY_KIND[kind], retry: null };
}
