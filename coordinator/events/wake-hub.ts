/**
 * In-process wake-ups: long-polls and SSE streams wait on a topic (`runs`, `runner:<id>`, `session:<id>`);
 * whoever changes something signals the topic. Across PostgreSQL replicas the same topics travel over
 * LISTEN/NOTIFY and are signalled here on arrival.
 */
export class WakeHub {
  readonly #waiters = new Map<string, Set<(topic: string) => void>>();

  /** Call `wake` on the next signal of any of `topics`; returns a function that cancels the wait. */
  subscribe(topics: readonly string[], wake: (topic: string) => void): () => void {
    for (const topic of topics) {
      let set = this.#waiters.get(topic);
      if (set === undefined) this.#waiters.set(topic, (set = new Set()));
      set.add(wake);
    }
    return () => {
      for (const topic of topics) {
        const set = this.#waiters.get(topic);
        set?.delete(wake);
        if (set?.size === 0) this.#waiters.delete(topic);
      }
    };
  }

  /** Wake everyone waiting on `topic`. */
  signal(topic: string): void {
    const set = this.#waiters.get(topic);
    if (set === undefined) return;
    for (const wake of [...set]) wake(topic);
  }

  /** How many waiters a topic has (for tests and metrics). */
  waiting(topic: string): number {
    return this.#waiters.get(topic)?.size ?? 0;
  }
}

/** Resolve on the first signal of any topic (with that topic), or with `null` after `timeoutMs` or when `signal` aborts. */
export function waitForSignal(
  hub: WakeHub,
  topics: readonly string[],
  timeoutMs: number,
  signal?: AbortSignal,
): { promise: Promise<string | null>; cancel: () => void } {
  let cancel = () => {};
  const promise = new Promise<string | null>((resolve) => {
    const done = (woken: string | null) => {
      cancel();
      resolve(woken);
    };
    const timer = setTimeout(() => done(null), Math.max(0, timeoutMs));
    const onAbort = () => done(null);
    const unsubscribe = hub.subscribe(topics, (topic) => done(topic));
    signal?.addEventListener('abort', onAbort, { once: true });
    cancel = () => {
      clearTimeout(timer);
      unsubscribe();
      signal?.removeEventListener('abort', onAbort);
    };
    if (signal?.aborted) done(null);
  });
  return { promise, cancel: () => cancel() };
}

/** Topic names. */
export const TOPIC_RUNS = 'runs';
export const runnerTopic = (runnerId: string): string => `runner:${runnerId}`;
export const sessionTopic = (sessionId: string): string => `session:${sessionId}`;
