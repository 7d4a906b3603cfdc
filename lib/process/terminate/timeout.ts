/** Longest delay one Node timer holds (2^31 - 1 ms, ~24.8 days); a longer one fires at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * Call `onTimeout` once `timeoutMs` have passed (never when `timeoutMs` is undefined: no run timeout).
 * A delay beyond one timer's reach is waited out in steps, so it never fires early.
 * @returns a function that disarms it.
 */
export function armTimeout(timeoutMs: number | undefined, onTimeout: () => void): () => void {
  if (timeoutMs === undefined) return () => {};
  const deadline = Date.now() + timeoutMs;
  let timer: NodeJS.Timeout;
  const arm = (left: number) => {
    timer = setTimeout(() => {
      const rest = deadline - Date.now();
      if (rest > 0) arm(rest);
      else onTimeout();
    }, Math.min(Math.max(0, left), MAX_TIMER_MS));
  };
  arm(timeoutMs);
  return () => clearTimeout(timer);
}
