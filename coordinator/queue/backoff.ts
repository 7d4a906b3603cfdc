/** Delay before retry number `attempt` (the attempt that failed, from 1): base × 2^(attempt-1), capped. Pure. */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number): number {
  const exponent = Math.max(0, attempt - 1);
  return Math.min(maxMs, baseMs * 2 ** Math.min(exponent, 30));
}
