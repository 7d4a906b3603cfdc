import type { RunStatus, SessionStatus } from '../../protocol/statuses.js';

/** A session's status, derived from its latest run's. Pure. */
export function sessionStatusFor(run: RunStatus): SessionStatus {
  switch (run) {
    case 'queued':
    case 'claimed':
    case 'lost':
      return 'queued';
    case 'running':
      return 'running';
    case 'succeeded':
      return 'idle';
    case 'cancelled':
      return 'cancelled';
    case 'failed':
    case 'timed_out':
      return 'failed';
  }
}

/** Whether a session in this status has a run in flight (it can be stopped, not deleted or resumed). */
export function isSessionActive(status: SessionStatus): boolean {
  return status === 'queued' || status === 'running';
}
