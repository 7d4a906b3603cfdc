/**
 * In-process wake-ups: SSE streams and long-polls wait on a topic (`session:<id>`, `runner:<id>`); the
 * store's committed changes (store-changes.ts: this process's, and other replicas' over LISTEN/NOTIFY)
 * signal them. A signal may carry what changed (a session's new events, when this process stored them).
 * Runs to claim do not go through here: see parked-polls.ts.
 */
export class WakeHub {
  readonly #waiters = new Map<string, Set<(topic: string, payload?: unknown) => void>>();

  /** Call `wake` on every signal of any of `topics` until the returned function is called. */
  subscribe(topics: readonly string[], wake: (topic: string, payload?: unknown) => void): () => void {
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

  /** Wake everyone waiting on `topic`, with what changed if known. */
  signal(topic: string, payload?: unknown): void {
    const set = this.#waiters.get(topic);
    if (set === undefined) return;
    for (const wake of [...set]) wake(topic, payload);
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
export const runnerTopic = (runnerId: string): string => `runner:${runnerId}`;
export const sessionTopic = (sessionId: string): string => `session:${sessionId}`;
/** Signalled when a session is created in the tree under `rootSessionId`. */
export const treeTopic = (rootSessionId: string): string => `tree:${rootSessionId}`;
/** The topic of a workflow run's changes. */
export const workflowTopic = (workflowRunId: string): string => `workflow:${workflowRunId}`;

/** Every committed change, summed up for `GET /v1/changes` (the console's live lists). */
export const CHANGES_TOPIC = 'changes';
