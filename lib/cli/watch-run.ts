import type { RunView, SessionEvent, UserApi } from '../client/user-api.js';

/** Run states after which nothing more happens to a run. */
export const TERMINAL_RUN_STATUSES = new Set(['succeeded', 'failed', 'cancelled', 'timed_out']);

/**
 * Follow a session's events until the given run ends (its terminal `run_status` event), passing each
 * event of that run to `onEvent`. Returns the finished run (with its outcome).
 */
export async function watchRun(
  api: UserApi,
  sessionId: string,
  runId: string,
  after: number,
  onEvent: (event: SessionEvent) => void,
): Promise<RunView> {
  const controller = new AbortController();
  try {
    for await (const event of api.followEvents(sessionId, after, controller.signal)) {
      if (event.run_id !== runId) continue;
      onEvent(event);
      if (event.type === 'run_status' && TERMINAL_RUN_STATUSES.has(String(event.event.status))) break;
    }
  } finally {
    controller.abort();
  }
  return api.getRun(runId);
}

/** The CLI exit code for a finished run: 0 succeeded, 1 failed, 2 rejected, 75 infra, 124 timed out, 130 cancelled. */
export function exitCodeForRun(run: RunView): number {
  switch (run.status) {
    case 'succeeded':
      return 0;
    case 'timed_out':
      return 124;
    case 'cancelled':
      return 130;
    default: {
      const kind = run.outcome?.kind;
      return kind === 'rejected' ? 2 : kind === 'infra_failed' ? 75 : 1;
    }
  }
}
