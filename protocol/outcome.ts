/**
 * How a run ended, and the exit code each ending gives the CLI (`invoke` and `run`), so scripts can
 * branch on what happened. One table for both commands.
 * - `succeeded`: exit 0. `rejected`: exit 2, the executor refused the invocation (not retried).
 * - `infra_failed`: exit 75 (EX_TEMPFAIL) or the executor could not be started; may be retried elsewhere.
 * - `failed`: any other exit code, or killed by a signal we did not send.
 * - `timed_out` / `cancelled`: we terminated it (run timeout / AbortSignal), whatever it exited with.
 */
import type { RunStatus } from './statuses.js';

export const OUTCOME_KINDS = ['succeeded', 'failed', 'rejected', 'infra_failed', 'timed_out', 'cancelled'] as const;
export type OutcomeKind = (typeof OUTCOME_KINDS)[number];

/** The executor exit code that means "I refuse this invocation". */
export const EXIT_REJECTED = 2;
/** The executor exit code that means "infrastructure failure, try again" (EX_TEMPFAIL). */
export const EXIT_TEMPFAIL = 75;

/** The CLI exit code for each outcome kind. */
export const OUTCOME_EXIT_CODES: Readonly<Record<OutcomeKind, number>> = {
  succeeded: 0,
  failed: 1,
  rejected: EXIT_REJECTED,
  infra_failed: EXIT_TEMPFAIL,
  timed_out: 124,
  cancelled: 130,
};

/**
 * The CLI exit code for a run the coordinator ended: its status where that names the kind, else the kind
 * its outcome reported (a `failed` run may have been rejected or an infrastructure failure; `lost` is failed).
 */
export function exitCodeForRun(status: RunStatus, outcomeKind: string | undefined): number {
  if (status === 'succeeded' || status === 'timed_out' || status === 'cancelled') return OUTCOME_EXIT_CODES[status];
  if (outcomeKind === 'rejected' || outcomeKind === 'infra_failed') return OUTCOME_EXIT_CODES[outcomeKind];
  return OUTCOME_EXIT_CODES.failed;
}
