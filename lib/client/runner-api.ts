import type { Agent } from 'node:http';
import type { AgentBlueprint } from '../../protocol/invocation.js';
import type { RunReport } from '../runner/run-reports.js';
import { createHttpAgent, requestJsonOverAgent as requestJson } from './node-http-json.js';

/** What registering tells a runner: who it is, its token, and the timings it must keep. */
export interface Registration {
  runner_id: string;
  token: string;
  heartbeat_interval_ms: number;
  lease_ms: number;
  poll_timeout_ms: number;
}

/** A claimed run with what the runner needs to build its Schema 2.0 invocation. */
export interface Assignment {
  run: { run_id: string; session_id: string; attempt: number; last_event_seq: number; timeout_s: number | null };
  invocation: {
    mode: 'start' | 'resume';
    session_id: string;
    prompt: string;
    project_dir: string | null;
    agent: string | null;
    /** Version (ETag) of the agent blueprint; the runner's cached copy is valid while it matches. */
    agent_etag: string | null;
    executor: string | null;
    tags: string[];
    timeout_s: number | null;
    metadata: { run_id: string; runner_id: string; attempt: number; executor_session_id: string | null };
  };
}

export interface PollAnswer {
  /** The runs claimed for this runner (up to the `max` asked for). */
  runs: Assignment[];
  /** Runs of this runner to cancel now. */
  stop: string[];
}

/** The coordinator's answer for one run's report: its status now, or why it refused the report. */
export type RunReportResult =
  | { run_id: string; status: string; accepted?: number; duplicates?: number; error?: undefined }
  | { run_id: string; error: { status: number; code: string; message: string } };

export interface RegisterRequest {
  name?: string;
  hostname?: string;
  executors: string[];
  tags: string[];
  capacity: number;
  metadata?: Record<string, unknown>;
}

/** The runner half of the coordinator API (`/v1/runners`, `/v1/runs/:id/...`). */
export class RunnerApi {
  readonly baseUrl: string;
  readonly #dispatcher: Agent;
  readonly #apiToken: string | undefined;
  #registration: Registration | undefined;

  constructor(baseUrl: string, apiToken?: string) {
    this.baseUrl = baseUrl;
    this.#apiToken = apiToken;
    this.#dispatcher = createHttpAgent(baseUrl);
  }

  /** Whether the coordinator ever accepted this runner's registration. */
  get isRegistered(): boolean {
    return this.#registration !== undefined;
  }

  get registration(): Registration {
    if (this.#registration === undefined) throw new Error('the runner is not registered');
    return this.#registration;
  }

  async register(req: RegisterRequest): Promise<Registration> {
    const { body } = await requestJson<Registration>(this.baseUrl, this.#dispatcher, {
      method: 'POST',
      path: '/v1/runners',
      body: req,
      token: this.#apiToken,
    });
    this.#registration = body;
    return body;
  }

  async heartbeat(running: string[]): Promise<{ stop: string[] }> {
    const { runner_id, token } = this.registration;
    const { body } = await requestJson<{ stop: string[] }>(this.baseUrl, this.#dispatcher, {
      method: 'POST',
      path: `/v1/runners/${runner_id}/heartbeat`,
      body: { running },
      token,
    });
    return body;
  }

  /** The long-poll: up to `max` claimed runs, stop requests, or nothing after the poll timeout. */
  async nextRun(max: number, signal?: AbortSignal): Promise<PollAnswer> {
    const { runner_id, token, poll_timeout_ms } = this.registration;
    const { body } = await requestJson<PollAnswer>(this.baseUrl, this.#dispatcher, {
      method: 'POST',
      path: `/v1/runners/${runner_id}/next-run`,
      body: { max },
      token,
      timeoutMs: poll_timeout_ms + 10_000,
      ...(signal === undefined ? {} : { signal }),
    });
    return body;
  }

  /** Report on several runs at once (started, events, finished); one result per run. */
  async reports(reports: readonly RunReport[]): Promise<RunReportResult[]> {
    const { runner_id, token } = this.registration;
    const { body } = await requestJson<{ results: RunReportResult[] }>(this.baseUrl, this.#dispatcher, {
      method: 'POST',
      path: `/v1/runners/${runner_id}/reports`,
      body: { reports },
      token,
    });
    return body.results;
  }

  /** An agent blueprint, or `null` when unchanged since `etag` (HTTP 304). */
  async agent(name: string, etag?: string): Promise<{ blueprint: AgentBlueprint; etag: string | undefined } | null> {
    const response = await requestJson<AgentBlueprint>(this.baseUrl, this.#dispatcher, {
      method: 'GET',
      path: `/v1/agents/${encodeURIComponent(name)}`,
      token: this.#apiToken,
      ...(etag === undefined ? {} : { headers: { 'if-none-match': etag } }),
    });
    if (response.status === 304) return null;
    const header = response.headers.etag;
    return { blueprint: response.body, etag: typeof header === 'string' ? header : undefined };
  }

  async deregister(): Promise<void> {
    const { runner_id, token } = this.registration;
    await requestJson(this.baseUrl, this.#dispatcher, { method: 'DELETE', path: `/v1/runners/${runner_id}`, token });
  }

  async close(): Promise<void> {
    this.#dispatcher.destroy();
  }
}
