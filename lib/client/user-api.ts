import { request, type Dispatcher } from 'undici';
import { CoordinatorError } from './coordinator-error.js';
import { createDispatcher, requestJson, type JsonRequest } from './http-json.js';
import { backoffDelay, sleep, STREAM_RECONNECT_BACKOFF } from '../retry/backoff.js';
import { readSse } from './sse-reader.js';

/** A session as the coordinator shows it. */
export interface SessionView {
  session_id: string;
  status: 'queued' | 'running' | 'idle' | 'failed' | 'cancelled';
  agent: string | null;
  executor: string | null;
  tags: string[];
  project_dir: string | null;
  parent_session_id: string | null;
  prompt: string;
  result: { result_text?: string; result_data?: unknown; is_error?: boolean } | null;
  usage: Record<string, unknown> | null;
  executor_session_id: string | null;
  runner_id: string | null;
  last_run_id: string | null;
  last_event_seq?: number;
  created_at: string;
  updated_at: string;
  ended_at: string | null;
}

export interface RunView {
  run_id: string;
  session_id: string;
  mode: 'start' | 'resume';
  status: string;
  attempt: number;
  outcome: Record<string, unknown> | null;
  error: string | null;
}

/** One stored event: per-session `seq`, its run, and what was reported (`event`). */
export interface SessionEvent {
  seq: number;
  session_id: string;
  run_id: string;
  run_seq: number;
  type: string;
  event: Record<string, unknown> & { type: string };
  created_at: string;
}

export interface CreateSession {
  prompt: string;
  agent?: string;
  executor?: string;
  tags?: string[];
  project_dir?: string;
  parent_session_id?: string;
  priority?: number;
  timeout_s?: number;
  /** Resume this session with the outcome when the session ends (MCP `callback` mode). */
  callback_session_id?: string;
}

/** An agent blueprint as the coordinator lists it (unknown fields kept). */
export interface AgentView {
  name: string;
  description?: string;
  executor?: string;
  tags?: string[];
  [field: string]: unknown;
}

/** The user-facing half of the coordinator API: sessions, runs and their events. */
export class UserApi {
  readonly baseUrl: string;
  readonly #token: string | undefined;
  readonly #dispatcher: Dispatcher;

  /** @param connections most connections at once (each live event stream holds one). */
  constructor(baseUrl: string, token?: string, connections?: number) {
    this.baseUrl = baseUrl;
    this.#token = token;
    this.#dispatcher = createDispatcher(connections);
  }

  async #call<T>(req: Omit<JsonRequest, 'token'>): Promise<T> {
    return (await requestJson<T>(this.baseUrl, this.#dispatcher, { ...req, token: this.#token })).body;
  }

  /** Whether a coordinator answers at the base URL (within `timeoutMs`). */
  async healthy(timeoutMs = 500): Promise<boolean> {
    try {
      await this.#call({ method: 'GET', path: '/healthz', timeoutMs });
      return true;
    } catch {
      return false;
    }
  }

  createSession(body: CreateSession) {
    return this.#call<{ session_id: string; run_id: string; status: string }>({ method: 'POST', path: '/v1/sessions', body });
  }

  getSession(id: string) {
    return this.#call<SessionView>({ method: 'GET', path: `/v1/sessions/${encodeURIComponent(id)}` });
  }

  listSessions(query: { status?: string; parent?: string; agent?: string; limit?: number; cursor?: string } = {}) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
    const qs = params.size === 0 ? '' : `?${params}`;
    return this.#call<{ sessions: SessionView[]; next_cursor: string | null }>({ method: 'GET', path: `/v1/sessions${qs}` });
  }

  resumeSession(id: string, prompt: string, options: { callback_session_id?: string } = {}) {
    return this.#call<{ session_id: string; run_id: string; status: string }>({
      method: 'POST',
      path: `/v1/sessions/${encodeURIComponent(id)}/resume`,
      body: { prompt, ...options },
    });
  }

  listAgents() {
    return this.#call<{ agents: AgentView[] }>({ method: 'GET', path: '/v1/agents' });
  }

  stopSession(id: string) {
    return this.#call<{ session_id: string; status: string; run: RunView }>({ method: 'POST', path: `/v1/sessions/${encodeURIComponent(id)}/stop`, body: {} });
  }

  getRun(id: string) {
    return this.#call<RunView>({ method: 'GET', path: `/v1/runs/${encodeURIComponent(id)}` });
  }

  eventsPage(id: string, after = 0, limit = 500) {
    return this.#call<{ events: SessionEvent[]; next_after: number }>({
      method: 'GET',
      path: `/v1/sessions/${encodeURIComponent(id)}/events?after=${after}&limit=${limit}`,
    });
  }

  /**
   * The session's events, live, from after `after`: reads the SSE stream and reconnects with
   * Last-Event-ID when it drops, so no event is missed or repeated. Ends when `signal` aborts.
   */
  async *followEvents(id: string, after: number, signal: AbortSignal): AsyncGenerator<SessionEvent> {
    let last = after;
    let failures = 0;
    while (!signal.aborted) {
      try {
        const response = await request(`${this.baseUrl}/v1/sessions/${encodeURIComponent(id)}/events`, {
          method: 'GET',
          headers: {
            accept: 'text/event-stream',
            'last-event-id': String(last),
            ...(this.#token === undefined ? {} : { authorization: `Bearer ${this.#token}` }),
          },
          dispatcher: this.#dispatcher,
          signal,
          bodyTimeout: 0,
        });
        if (response.statusCode >= 400) {
          const text = await response.body.text();
          const error = (JSON.parse(text || '{}') as { error?: { code?: string; message?: string } }).error;
          throw new CoordinatorError(error?.message ?? `events stream answered ${response.statusCode}`, response.statusCode, error?.code ?? 'http_error');
        }
        for await (const message of readSse(response.body)) {
          failures = 0;
          const event = JSON.parse(message.data) as SessionEvent;
          last = event.seq;
          yield event;
        }
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof CoordinatorError && !error.retryable) throw error;
        failures += 1;
        if (failures > 50) throw error;
        await sleep(backoffDelay(failures, STREAM_RECONNECT_BACKOFF), signal);
      }
    }
  }

  async close(): Promise<void> {
    await this.#dispatcher.close();
  }
}
