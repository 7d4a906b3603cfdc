/**
 * Every coordinator tunable with its default. Timings can be made small (tens of ms) in tests;
 * the CLI exposes the ones operators need (see docs/coordinator.md).
 */
import type { BackoffPolicy } from '../lib/retry/backoff.js';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8765;
export const DEFAULT_AGENTS_DIR = './agents';
/** The workflows folder a coordinator loads when none is given. */
export const DEFAULT_WORKFLOWS_DIR = './workflows';
/**
 * After a change in the agents folder, wait this long for more before reading it again: an editor's save
 * or a `git checkout` is several events, read once.
 */
export const AGENTS_WATCH_DEBOUNCE_MS = 100;

/** A runner that has not heartbeaten for this long loses its claimed and running runs. */
export const LEASE_MS = 30_000;
/** How often runners are told to heartbeat (a third of the lease, so two can be missed). */
export const HEARTBEAT_INTERVAL_MS = 10_000;
/**
 * A heartbeat releases the runs its runner holds but does not report once they were claimed more than a
 * heartbeat interval plus this long ago: a younger claim's answer may still be on its way to the runner.
 */
export const CLAIM_ANSWER_GRACE_MS = 1_000;
/** How long a `next run` long-poll is held before it answers with no run. */
export const POLL_TIMEOUT_MS = 30_000;
/** A queued run that no online runner can serve fails after this long (0: at once, when it is created). */
export const PLACEMENT_TIMEOUT_MS = 600_000;
/** The executor of a session that names none and whose agent names none (`--default-executor`). */
export const DEFAULT_EXECUTOR = 'claude-code';
/** Cap of the first retry delay after an infrastructure failure; the cap doubles per attempt up to BACKOFF_MAX_MS, the delay is drawn below it. */
export const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_MAX_MS = 60_000;
/** Tries per run, counting the first (only infrastructure failures are retried). */
export const MAX_ATTEMPTS = 3;
/**
 * How often leases and placement deadlines are checked (a few statements each time, even when idle;
 * a lease lapse is seen within this of the 30 s lease, well under a lease's length).
 */
export const SWEEP_INTERVAL_MS = 5_000;
/** A comment line is written on idle SSE streams this often, to keep proxies from closing them. */
export const SSE_KEEPALIVE_MS = 15_000;
/** A runner silent for this many leases is `offline` rather than `stale`. */
export const OFFLINE_AFTER_LEASES = 10;

/** Largest request body, in bytes (413 beyond). */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** The timings a coordinator runs with; every field defaults to the constant above. */
export interface CoordinatorTimings {
  leaseMs: number;
  heartbeatIntervalMs: number;
  pollTimeoutMs: number;
  placementTimeoutMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** The re-queue jitter's draws in [0, 1] (default Math.random; a test may fix it to 1 for exact delays). */
  backoffRandom?: (() => number) | undefined;
  maxAttempts: number;
  sweepIntervalMs: number;
  sseKeepAliveMs: number;
}

/** Fill unset timings with their defaults. */
export function resolveTimings(partial: Partial<CoordinatorTimings> = {}): CoordinatorTimings {
  const leaseMs = partial.leaseMs ?? LEASE_MS;
  return {
    leaseMs,
    heartbeatIntervalMs: partial.heartbeatIntervalMs ?? Math.min(HEARTBEAT_INTERVAL_MS, Math.max(1, Math.floor(leaseMs / 3))),
    pollTimeoutMs: partial.pollTimeoutMs ?? POLL_TIMEOUT_MS,
    placementTimeoutMs: partial.placementTimeoutMs ?? PLACEMENT_TIMEOUT_MS,
    backoffBaseMs: partial.backoffBaseMs ?? BACKOFF_BASE_MS,
    backoffMaxMs: partial.backoffMaxMs ?? BACKOFF_MAX_MS,
    backoffRandom: partial.backoffRandom,
    maxAttempts: partial.maxAttempts ?? MAX_ATTEMPTS,
    sweepIntervalMs: partial.sweepIntervalMs ?? Math.min(SWEEP_INTERVAL_MS, Math.max(5, Math.floor(leaseMs / 4))),
    sseKeepAliveMs: partial.sseKeepAliveMs ?? SSE_KEEPALIVE_MS,
  };
}

/**
 * How runs are re-queued after infrastructure failures: the backoff, and the lease that says which runners
 * are online (a retry only some online runner may take is made; otherwise the run ends with the reason).
 */
export interface RequeuePolicy extends BackoffPolicy {
  leaseMs: number;
}

/** The re-queue policy of runs (infrastructure failures and lost leases), from the timings. */
export function requeueBackoff(timings: CoordinatorTimings): RequeuePolicy {
  return { baseMs: timings.backoffBaseMs, maxMs: timings.backoffMaxMs, random: timings.backoffRandom, leaseMs: timings.leaseMs };
}
