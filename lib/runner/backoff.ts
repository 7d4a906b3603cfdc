/** First retry delay after a failed call to the coordinator. */
export const BACKOFF_BASE_MS = 200;
/** Longest delay between retries. */
export const BACKOFF_MAX_MS = 10_000;

/**
 * Delay before retry number `attempt` (1-based): exponential with "full jitter" (a uniform draw from 0 to
 * the capped exponential), so a fleet of runners that lost the coordinator together does not come back
 * in lock-step.
 */
export function backoffDelay(attempt: number, random = Math.random, baseMs = BACKOFF_BASE_MS, maxMs = BACKOFF_MAX_MS): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling * random());
}

/** Wait `ms`, or less if `signal` aborts first (never rejects). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
