/**
 * Call `onTimeout` once `timeoutMs` have passed (never when `timeoutMs` is undefined: no run timeout).
 * @returns a function that disarms it.
 */
export function armTimeout(timeoutMs: number | undefined, onTimeout: () => void): () => void {
  if (timeoutMs === undefined) return () => {};
  const timer = setTimeout(onTimeout, timeoutMs);
  return () => clearTimeout(timer);
}
