import { waitForSessionEnd } from '../client/follow-session.js';
import type { SessionView } from '../../protocol/sessions.js';
import { isSessionEnded } from '../../protocol/statuses.js';
import { sleep } from '../retry/backoff.js';
import { CliError } from './cli-error.js';
import type { Connection } from './connect-coordinator.js';
import { INTERRUPTED, isLeftBehind, liveRunnerIds } from './left-behind.js';

/** Exit code when `--timeout` passes before the session ends (as `timeout(1)`; a run that timed out also gives 124). */
export const EXIT_WAIT_TIMEOUT = 124;
/** Exit code when Ctrl-C (SIGINT) or SIGTERM ends the wait (the session goes on). */
export const EXIT_WAIT_INTERRUPTED = 130;
/**
 * How often a wait looks at the session when the coordinator is this command's own (in-process): the run
 * is another process's (a `run` in this folder), whose writes wake no stream here.
 */
export const EMBEDDED_WAIT_POLL_MS = 250;

/** Why a wait ended: every session ended, the `--timeout` passed, or a signal came. */
export type WaitEnd = 'ended' | 'timeout' | 'interrupted';

/** Each session as the wait left it, and why it stopped. */
export interface WaitResult {
  views: SessionView[];
  end: WaitEnd;
}

/** Poll the session until it ends; fail at once when nobody will end it (an interrupted leftover of the in-process database). */
async function pollUntilEnded(connection: Connection, id: string, signal: AbortSignal): Promise<SessionView> {
  for (;;) {
    const view = await connection.api.getSession(id);
    if (isSessionEnded(view.status) || signal.aborted) return view;
    if (isLeftBehind(view, liveRunnerIds((await connection.api.listRunners()).runners))) {
      throw new CliError(
        `${id} is ${INTERRUPTED}: it is ${view.status}, but the command that ran it ended and no runner serves it, so it will not end by itself; continue it with \`agent-runner sessions resume ${id} PROMPT\` or end it with \`agent-runner sessions stop ${id}\``,
      );
    }
    await sleep(EMBEDDED_WAIT_POLL_MS, signal);
  }
}

/**
 * Wait until each session has no run in flight (one after another), at most `timeoutMs` in all; SIGINT or
 * SIGTERM stops waiting. A coordinator of its own is followed live (its event stream); an in-process one is polled.
 */
export async function waitForSessions(connection: Connection, ids: readonly string[], timeoutMs?: number): Promise<WaitResult> {
  const controller = new AbortController();
  let end: WaitEnd = 'ended';
  const stop = (why: WaitEnd) => () => ((end = why), controller.abort());
  const onSignal = stop('interrupted');
  const timer = timeoutMs === undefined ? undefined : setTimeout(stop('timeout'), timeoutMs);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const views: SessionView[] = [];
    for (const id of ids) {
      const view = connection.embedded ? await pollUntilEnded(connection, id, controller.signal) : await waitForSessionEnd(connection.api, connection.api, id, controller.signal);
      views.push(view);
      if (!isSessionEnded(view.status)) return { views, end: end === 'ended' ? 'interrupted' : end };
    }
    return { views, end: 'ended' };
  } finally {
    clearTimeout(timer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
