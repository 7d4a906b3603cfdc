import { CoordinatorError } from '../client/coordinator-error.js';
import type { UserApi } from '../client/user-api.js';

/**
 * How long a session seen live is trusted without asking the coordinator again. A token works at most
 * this long after its session's work ended; the MCP round trip (p50 target ≤ 2 ms) pays one coordinator
 * call per session per second at most.
 */
export const LIVE_CACHE_MS = 1_000;
/** Sessions remembered as live at once. */
const LIVE_CACHE_MAX = 10_000;

export type Liveness = { live: true } | { live: false; status: number; message: string };

/**
 * Whether a session's token may still act: while the session has a run queued or running, or a
 * callback-mode run in flight that will resume it. Asks the coordinator, remembering a live answer for LIVE_CACHE_MS.
 */
export class SessionLiveness {
  readonly #api: UserApi;
  readonly #now: () => number;
  readonly #liveUntil = new Map<string, number>();

  constructor(api: UserApi, now: () => number = Date.now) {
    this.#api = api;
    this.#now = now;
  }

  async check(sessionId: string): Promise<Liveness> {
    const until = this.#liveUntil.get(sessionId);
    if (until !== undefined && until > this.#now()) return { live: true };
    let answer: Liveness;
    try {
      answer = await this.#ask(sessionId);
    } catch (error) {
      if (error instanceof CoordinatorError && error.status === 404) return { live: false, status: 403, message: `session ${sessionId} is unknown to the coordinator` };
      return { live: false, status: 503, message: `cannot check session ${sessionId}: ${(error as Error).message}` };
    }
    if (answer.live) {
      if (this.#liveUntil.size >= LIVE_CACHE_MAX) this.#liveUntil.clear();
      this.#liveUntil.set(sessionId, this.#now() + LIVE_CACHE_MS);
    } else {
      this.#liveUntil.delete(sessionId);
    }
    return answer;
  }

  async #ask(sessionId: string): Promise<Liveness> {
    const view = await this.#api.getSession(sessionId);
    if (view.status === 'queued' || view.status === 'running') return { live: true };
    if ((await this.#api.listCallbacks(sessionId)).waiting_on_runs > 0) return { live: true };
    return {
      live: false,
      status: 403,
      message:
        `session ${sessionId} has ended (${view.status}): its token was valid only while the session had a run queued or running ` +
        'or a callback-mode run it waits on. ' +
        `Resume the session (agent-runner sessions resume ${sessionId} PROMPT) for a new run; its executor gets the token again.`,
    };
  }
}
