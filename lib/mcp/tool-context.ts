import type { UserApi } from '../client/user-api.js';
import type { ExecutorEvent } from '../../protocol/executor-event.js';
import type { SessionScope } from './session-scope.js';

/** Puts an event into the caller's current run, as if its executor had printed it. */
export interface RunReporter {
  /**
   * @returns the run the event was added to.
   * @throws ToolError when no run of the session is executing on this runner.
   */
  report(sessionId: string, event: ExecutorEvent): string;
}

/** What every tool handler needs to reach the coordinator and the runner (the caller comes with each request). */
export interface ToolContext {
  /** Coordinator calls. */
  api: UserApi;
  /** Live event streams (a separate connection pool: each stream holds a connection). */
  streams: UserApi;
  scope: SessionScope;
  reporter: RunReporter;
  /** How often a waiting question tool sends a progress notification, in ms. */
  questionProgressMs: number;
}
