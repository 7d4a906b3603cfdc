/** The states of runs and sessions, as the coordinator stores them and every API reply shows them. */
import { z } from 'zod';

export const RUN_STATUSES = ['queued', 'claimed', 'running', 'succeeded', 'failed', 'cancelled', 'timed_out', 'lost'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Run states after which nothing more happens to a run (`lost` is not one: a lost run is retried or failed). */
export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'cancelled', 'timed_out'];

/** Whether nothing more happens to a run in this state. */
export function isTerminalRunStatus(status: string): boolean {
  return (TERMINAL_RUN_STATUSES as readonly string[]).includes(status);
}

export const SESSION_STATUSES = ['queued', 'running', 'idle', 'failed', 'cancelled'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/** The states of a session with no run in flight. */
export const ENDED_SESSION_STATUSES = ['idle', 'failed', 'cancelled'] as const satisfies readonly SessionStatus[];

/** Whether a session has no run in flight (its latest run ended). */
export function isSessionEnded(status: SessionStatus): boolean {
  return status !== 'queued' && status !== 'running';
}

/** `workflow`: a workflow run's root session's one run, held by the coordinator's workflow engine, never by a runner. */
export const RUN_MODES = ['start', 'resume', 'workflow'] as const;
export type RunMode = (typeof RUN_MODES)[number];

export const RunStatusSchema = z.enum(RUN_STATUSES, { message: `status must be one of ${RUN_STATUSES.join(', ')}` });
export const SessionStatusSchema = z.enum(SESSION_STATUSES, { message: `status must be one of ${SESSION_STATUSES.join(', ')}` });
export const RunModeSchema = z.enum(RUN_MODES, { message: 'mode must be "start", "resume" or "workflow"' });
