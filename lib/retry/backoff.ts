/**
 * The one retry backoff: exponential with "full jitter" (a uniform draw between 0 and the capped
 * exponential), used by the runner's calls to the coordinator, the coordinator's re-queue of runs after
 * infrastructure failures, and the client's event-stream reconnects. Jitter keeps a fleet of runners
 * that lost the coordinator together (or runs that failed together) from coming back in lock-step.
 */

/** Where the exponential starts and where it stops growing. */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  /** The jitter's source of uniform draws in [0, 1]; Math.random unless a caller needs it fixed (tests). */
  random?: (() => number) | undefined;
}

/** The runner's calls to the coordinator (register, long-poll, reports): first retry within 200 ms, at most 10 s apart. */
export const RUNNER_BACKOFF: BackoffPolicy = { baseMs: 200, maxMs: 10_000 };
/** A client's reconnects of a dropped event stream: quick first retry, at most 2 s apart. */
export const STREAM_RECONNECT_BACKOFF: BackoffPolicy = { baseMs: 50, maxMs: 2_000 };

/** Largest exponent used (2^30 × base already exceeds every cap; larger exponents would only overflow). */
const MAX_EXPONENT = 30;

/** The cap of the delay before retry `attempt` (1-based): base × 2^(attempt-1), at most `maxMs`. Pure. */
export function backoffCeiling(attempt: number, policy: BackoffPolicy): number {
  const exponent = Math.min(MAX_EXPONENT, Math.max(0, attempt - 1));
  return Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
}

/** Delay before retry `attempt` (1-based): a uniform draw from 0 to its ceiling. */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = policy.random ?? Math.random): number {
  return Math.round(backoffCeiling(attempt, policy) * random());
}

/** Wait `ms`, or less if `signal` aborts first (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
