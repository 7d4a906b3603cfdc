/** An AbortSignal that aborts after `ms` or when `parent` aborts; `clear` stops its timer. */
export function deadlineSignal(ms: number, parent?: AbortSignal): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  const onParent = () => controller.abort();
  parent?.addEventListener('abort', onParent, { once: true });
  if (parent?.aborted) controller.abort();
  return {
    signal: controller.signal,
    clear: () => {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParent);
    },
  };
}
