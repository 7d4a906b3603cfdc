/**
 * Call `onCancel` once `signal` aborts (the caller checks a signal aborted before the start itself).
 * @returns a function that stops listening, so a finished executor holds no listener on a long-lived signal.
 */
export function listenForCancel(signal: AbortSignal | undefined, onCancel: () => void): () => void {
  if (signal === undefined) return () => {};
  signal.addEventListener('abort', onCancel, { once: true });
  return () => signal.removeEventListener('abort', onCancel);
}
