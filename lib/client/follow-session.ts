import { RunStatusEventSchema, type SessionEvent } from '../../protocol/events.js';
import type { SessionView } from '../../protocol/sessions.js';
import { isSessionEnded, isTerminalRunStatus } from '../../protocol/statuses.js';
import type { UserApi } from './user-api.js';

/** Whether an event says that the run `runId` ended (its terminal `run_status`). */
export function isRunEnd(event: SessionEvent, runId: string): boolean {
  if (event.type !== 'run_status' || event.run_id !== runId) return false;
  const status = RunStatusEventSchema.safeParse(event.event);
  return status.success && isTerminalRunStatus(status.data.status);
}

/**
 * Follow a session's events from after `after` until the run `runId` ends, `signal` aborts, or the
 * stream closes; calls `onEvent` for each event of that run. Used by `agent-runner run` and the MCP tools.
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
  while (!isSessionEnded(view.status) && !signal.aborted) {
    await followRun(streams, sessionId, view.last_run_id, view.last_event_seq, signal);
    if (signal.aborted) break;
    view = await api.getSession(sessionId);
  }
  return view;
}
