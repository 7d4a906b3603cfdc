import { CoordinatorError } from '../client/coordinator-error.js';
import type { UserApi } from '../client/user-api.js';
import type { SessionView } from '../../protocol/sessions.js';
import { MAX_LISTED_SESSIONS, MAX_SESSION_DEPTH } from './tool-limits.js';
import { ToolError } from './tool-result.js';

/** Parent links remembered (a session's parent never changes). */
const PARENT_CACHE_SIZE = 50_000;

/**
 * Which sessions a caller may see and act on: itself and its descendants, nothing else. Answers by
 * walking parent links up from the target (cached: a parent never changes), so a check costs one
 * coordinator call at most for a session seen before.
 */
export class SessionScope {
  readonly #api: UserApi;
  readonly #parents = new Map<string, string | null>();

  constructor(api: UserApi) {
    this.#api = api;
  }

  /** Remember a session's parent (e.g. a child just created). */
  learn(sessionId: string, parentId: string | null): void {
    if (this.#parents.size >= PARENT_CACHE_SIZE) this.#parents.clear();
    this.#parents.set(sessionId, parentId);
  }

  /**
   * The target session, if the caller may touch it; a ToolError that says why otherwise (unknown, or
   * outside the caller's tree).
   */
  async check(caller: string, target: string): Promise<SessionView> {
    const view = await this.#get(target);
    if (target === caller) return view;
    let parent = view.parent_session_id;
    for (let depth = 0; parent !== null && depth < MAX_SESSION_DEPTH; depth++) {
      if (parent === caller) return view;
      parent = this.#parents.has(parent) ? this.#parents.get(parent)! : (await this.#get(parent)).parent_session_id;
    }
    throw new ToolError(
      `session ${target} is not yours: you may only see and act on your own session (${caller}) and the sessions it started (directly or through its children)`,
    );
  }

  /** The caller's descendants, breadth first (children, then grandchildren, ...), at most MAX_LISTED_SESSIONS. */
  async descendants(caller: string): Promise<{ sessions: SessionView[]; truncated: boolean }> {
    const out: SessionView[] = [];
    let level = [caller];
    while (level.length > 0 && out.length < MAX_LISTED_SESSIONS) {
      const next: string[] = [];
      for (const parent of level) {
        let cursor: string | undefined;
        do {
          const page = await this.#api.listSessions({ parent, limit: 1_000, ...(cursor === undefined ? {} : { cursor }) });
          for (const s of page.sessions) {
            this.learn(s.session_id, s.parent_session_id);
            out.push(s);
            next.push(s.session_id);
          }
          cursor = page.next_cursor ?? undefined;
        } while (cursor !== undefined && out.length < MAX_LISTED_SESSIONS);
      }
      level = next;
    }
    return { sessions: out.slice(0, MAX_LISTED_SESSIONS), truncated: out.length > MAX_LISTED_SESSIONS || level.length > 0 };
  }

  async #get(id: string): Promise<SessionView> {
    try {
      const view = await this.#api.getSession(id);
      this.learn(view.session_id, view.parent_session_id);
      return view;
    } catch (error) {
      if (error instanceof CoordinatorError && error.status === 404) throw new ToolError(`there is no session ${id}; check the id (list_agent_sessions shows yours)`);
      throw error;
    }
  }
}
