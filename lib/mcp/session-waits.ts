import type { SessionEvent, SessionView, UserApi } from '../client/user-api.js';

/** Run states after which a run is over. */
const TERMINAL = new Set(['succeeded', 'failed', 'cancelled', 'timed_out']);

/** Whether a session has no run in flight. */
export function isSessionEnded(view: SessionView): boolean {
  return view.status !== 'queued' && view.status !== 'running';
}

/** Whether an event says that the run `runId` ended. */
export function isRunEnd(event: SessionEvent, runId: string): boolean {
  return event.type === 'run_status' && event.run_id === runId && TERMINAL.has(String(event.event.status));
}

/**
 * Follow a session's events from after `after` until the run `runId` ends, `signal` aborts, or the
 * stream closes; calls `onEvent` for each event of that run.
 * @returns whether the run ended.
 */
export async function followRun(
  streams: UserApi,
  sessionId: string,
  runId: string,
  after: number,
  signal: AbortSignal,
  onEvent: (event: SessionEvent) => void = () => {},
): Promise<boolean> {
  if (signal.aborted) return false;
  const inner = new AbortController();
  const abort = () => inner.abort();
  signal.addEventListener('abort', abort, { once: true });
  try {
    for await (const event of streams.followEvents(sessionId, after, inner.signal)) {
      if (event.run_id !== runId) continue;
      onEvent(event);
      if (isRunEnd(event, runId)) return true;
    }
    return false;
  } finally {
    signal.removeEventListener('abort', abort);
    inner.abort();
  }
}

/**
 * Wait until the session has no run in flight (or `signal` aborts): follows its live events and looks
 * again each time its latest run ends (a callback may have queued another one meanwhile).
 * @returns the session as it is then.
 */
export async function waitForSessionEnd(api: UserApi, streams: UserApi, sessionId: string, signal: AbortSignal): Promise<SessionView> {
  let view = await api.getSession(sessionId);
  while (!isSessionEnded(view) && !signal.aborted) {
    if (view.last_run_id === null) break;
    await followRun(streams, sessionId, view.last_run_id, view.last_event_seq ?? 0, signal);
    if (signal.aborted) break;
    view = await api.getSession(sessionId);
  }
  return view;
}

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
