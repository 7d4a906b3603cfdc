import { z } from 'zod';
import { RunReportResultsSchema, type RunReport, type RunReportResult } from '../../protocol/run-reports.js';
import { HeartbeatReplySchema, PollAnswerSchema, RegistrationSchema, type PollAnswer, type RegisterRunner, type Registration } from '../../protocol/runners.js';
import { CoordinatorHttp } from './http-client.js';
import { readReply } from './reply.js';

/** How much longer than the coordinator's poll timeout the runner waits for a long-poll answer. */
export const POLL_ANSWER_GRACE_MS = 10_000;

/** The runner half of the coordinator API (`/v1/runners`, `/v1/runs/:id/...`); every reply parsed with its schema. */
export class RunnerApi {
  readonly baseUrl: string;
  readonly #http: CoordinatorHttp;
  #registration: Registration | undefined;

  constructor(baseUrl: string, apiToken?: string) {
    this.baseUrl = baseUrl;
    this.#http = new CoordinatorHttp(baseUrl, apiToken);
  }

  /** Whether the coordinator ever accepted this runner's registration. */
  get isRegistered(): boolean {
    return this.#registration !== undefined;
  }

  get registration(): Registration {
    if (this.#registration === undefined) throw new Error('the runner is not registered');
    return this.#registration;
  }

  /** Speak as a runner registered earlier (a predecessor whose spool is replayed) without registering again. */
  adopt(registration: Registration): void {
    this.#registration = registration;
  }

  async register(req: RegisterRunner): Promise<Registration> {
    const { body } = await this.#http.json({ method: 'POST', path: '/v1/runners', body: req }, RegistrationSchema);
    this.#registration = body;
    return body;
  }

  async heartbeat(running: string[]): Promise<{ stop: string[] }> {
    const { runner_id, token } = this.registration;
    const { body } = await this.#http.json({ method: 'POST', path: `/v1/runners/${runner_id}/heartbeat`, body: { running }, token }, HeartbeatReplySchema);
    return body;
  }

  /**
   * The long-poll: up to `max` claimed runs (of the `roots` session trees only, when given), stop
   * requests, or nothing after the poll timeout. A retry of a poll whose answer was lost passes the same
   * `requestId`, and gets the runs that poll claimed. `timeoutMs`: how long it may wait (default: the
   * coordinator's poll timeout). `reports`: reports the poll carries (a coordinator that registered the
   * runner with `poll_carries_reports`); their results are the answer's `report_results`.
   */
  async nextRun(max: number, signal?: AbortSignal, options: { requestId?: string; roots?: readonly string[]; timeoutMs?: number; reports?: readonly RunReport[] } = {}): Promise<PollAnswer> {
    const { runner_id, token } = this.registration;
    const waitMs = options.timeoutMs ?? this.registration.poll_timeout_ms;
    const body = {
      max,
      ...(options.timeoutMs === undefined ? {} : { timeout_ms: options.timeoutMs }),
      ...(options.requestId === undefined ? {} : { request_id: options.requestId }),
      ...(options.roots === undefined ? {} : { roots: options.roots }),
      ...(options.reports === undefined ? {} : { reports: options.reports }),
    };
    const call = { method: 'POST', path: `/v1/runners/${runner_id}/next-run`, body, token, timeoutMs: waitMs + POLL_ANSWER_GRACE_MS, signal } as const;
    return (await this.#http.json(call, PollAnswerSchema)).body;
  }

  /** Report on several runs at once (started, events, finished); one result per run. */
  async reports(reports: readonly RunReport[]): Promise<RunReportResult[]> {
    const { runner_id, token } = this.registration;
    const { body } = await this.#http.json({ method: 'POST', path: `/v1/runners/${runner_id}/reports`, body: { reports }, token }, RunReportResultsSchema);
    return body.results;
  }

  /**
   * An agent blueprint, or `null` when unchanged since `etag` (HTTP 304). The body is returned as JSON,
   * not parsed here: its one consumer, BlueprintCache, parses it with AgentBlueprintSchema and names the
   * agent in its error (and an invalid answer must not be cached).
   */
  async agent(name: string, etag?: string): Promise<{ blueprint: unknown; etag: string | undefined } | null> {
    const call = { method: 'GET', path: `/v1/agents/${encodeURIComponent(name)}/resolved`, ...(etag === undefined ? {} : { headers: { 'if-none-match': etag } }) } as const;
    const answer = await this.#http.send(call);
    if (answer.status === 304) return null;
    const blueprint = readReply(call, answer.status, answer.text, z.unknown());
    const header = answer.headers.etag;
    return { blueprint, etag: typeof header === 'string' ? header : undefined };
  }

  /** An Agent Skill's files, or `null` when unchanged since `etag` (HTTP 304); parsed by SkillCache. */
  async skill(name: string, etag?: string): Promise<{ skill: unknown; etag: string | undefined } | null> {
    const call = { method: 'GET', path: `/v1/skills/${encodeURIComponent(name)}`, ...(etag === undefined ? {} : { headers: { 'if-none-match': etag } }) } as const;
    const answer = await this.#http.send(call);
    if (answer.status === 304) return null;
    const skill = readReply(call, answer.status, answer.text, z.unknown());
    const header = answer.headers.etag;
    return { skill, etag: typeof header === 'string' ? header : undefined };
  }

  async deregister(): Promise<void> {
    const { runner_id, token } = this.registration;
    await this.#http.json({ method: 'DELETE', path: `/v1/runners/${runner_id}`, token }, z.unknown());
  }

  async close(): Promise<void> {
    this.#http.close();
  }
}
