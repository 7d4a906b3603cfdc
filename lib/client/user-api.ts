import { z } from 'zod';
import { AgentListSchema, AgentsReloadSchema, StoredAgentSchema, type AgentDocument } from '../../protocol/agents.js';
import { EventPageSchema, type SessionEvent } from '../../protocol/events.js';
import { HealthSchema } from '../../protocol/health.js';
import { MentionsStartedSchema } from '../../protocol/mentions.js';
import { NotificationPageSchema } from '../../protocol/notifications.js';
import { RunnerListSchema } from '../../protocol/runners.js';
import { ModelChoiceSchema, RoutingStatusSchema, type SelectModel } from '../../protocol/routing.js';
import { SystemStatusSchema } from '../../protocol/status.js';
import {
  CallbackListSchema,
  RunViewSchema,
  SessionDeletedSchema,
  SessionPageSchema,
  SessionsPrunedSchema,
  SessionStartedSchema,
  SessionsStartedSchema,
  SessionRetriedSchema,
  SessionStoppedSchema,
  SessionViewSchema,
  type CreateSession,
  type ListSessionsQuery,
  type PruneSessions,
  type StopSession,
} from '../../protocol/sessions.js';
import { SkillFilesSchema, SkillListSchema } from '../../protocol/skills.js';
import { SessionTreeSchema } from '../../protocol/tree.js';
import { QuestionAskedSchema, QuestionListSchema, QuestionViewSchema, type AnswerQuestion, type ListQuestionsQuery } from '../../protocol/questions.js';
import { followSessionEvents, followTreeEvents } from './follow-events.js';
import { followWorkflowRun } from './follow-workflow.js';
import {
  type StartWorkflowRun, WorkflowProblemSchema, WorkflowRunStartedSchema, WorkflowRunSummarySchema, type WorkflowRunView, WorkflowRunViewSchema, WorkflowSummarySchema,
} from '../../protocol/workflows.js';
import { CoordinatorHttp, type HttpCall } from './http-client.js';

/** The user-facing half of the coordinator API: sessions, runs and their events; every reply parsed with its schema. */
export class UserApi {
  readonly baseUrl: string;
  readonly #http: CoordinatorHttp;

  /** @param connections most connections at once (each live event stream holds one). */
  constructor(baseUrl: string, token?: string, connections?: number) {
    this.baseUrl = baseUrl;
    this.#http = new CoordinatorHttp(baseUrl, token, connections);
  }

  async #call<S extends z.ZodType>(call: HttpCall, schema: S): Promise<z.infer<S>> {
    return (await this.#http.json(call, schema)).body;
  }

  /** Whether a coordinator answers at the base URL (within `timeoutMs`). */
  async healthy(timeoutMs = 500): Promise<boolean> {
    try {
      await this.#call({ method: 'GET', path: '/healthz', timeoutMs }, HealthSchema);
      return true;
    } catch {
      return false;
    }
  }

  createSession(body: CreateSession) {
    return this.#call({ method: 'POST', path: '/v1/sessions', body }, SessionStartedSchema);
  }

  /** Sessions created in one request and one transaction, in order: all of them or none (at most MAX_BATCH_SESSIONS). */
  createSessions(sessions: CreateSession[]) {
    return this.#call({ method: 'POST', path: '/v1/sessions/batch', body: { sessions } }, SessionsStartedSchema);
  }

  getSession(id: string) {
    return this.#call({ method: 'GET', path: `/v1/sessions/${encodeURIComponent(id)}` }, SessionViewSchema);
  }

  /** `status` is passed as given: the coordinator names the field when it is not a status. */
  listSessions(query: Omit<ListSessionsQuery, 'status'> & { status?: string | undefined } = {}) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
    const qs = params.size === 0 ? '' : `?${params}`;
    return this.#call({ method: 'GET', path: `/v1/sessions${qs}` }, SessionPageSchema);
  }

  /** A message addressed by @mention: one session per agent mentioned (an unknown name starts nothing). */
  sendMentions(message: string) {
    return this.#call({ method: 'POST', path: '/v1/mentions', body: { message } }, MentionsStartedSchema);
  }

  resumeSession(id: string, prompt: string, options: { callback_session_id?: string } = {}) {
    return this.#call({ method: 'POST', path: `/v1/sessions/${encodeURIComponent(id)}/resume`, body: { prompt, ...options } }, SessionStartedSchema);
  }

  /** What the coordinator's router would pick now for a session of an agent (POST /v1/routing/select). */
  selectModel(body: SelectModel) {
    return this.#call({ method: 'POST', path: '/v1/routing/select', body }, ModelChoiceSchema);
  }

  /** The routing file in use and its rules. */
  getRouting() {
    return this.#call({ method: 'GET', path: '/v1/routing' }, RoutingStatusSchema);
  }

  /** Every agent, and the problems of the coordinator's agents folder. */
  listAgents() {
    return this.#call({ method: 'GET', path: '/v1/agents' }, AgentListSchema);
  }

  getAgent(name: string) {
    return this.#call({ method: 'GET', path: `/v1/agents/${encodeURIComponent(name)}` }, StoredAgentSchema);
  }

  /** Create or replace an agent. @returns whether it is new, and the stored document. */
  async putAgent(agent: AgentDocument): Promise<{ created: boolean; agent: AgentDocument }> {
    const answer = await this.#http.json({ method: 'PUT', path: `/v1/agents/${encodeURIComponent(agent.name)}`, body: agent }, StoredAgentSchema);
    return { created: answer.status === 201, agent: answer.body };
  }

  async deleteAgent(name: string): Promise<void> {
    await this.#call({ method: 'DELETE', path: `/v1/agents/${encodeURIComponent(name)}` }, z.null());
  }

  /** Have the coordinator read its agents folder again. */
  reloadAgents() {
    return this.#call({ method: 'POST', path: '/v1/agents/reload' }, AgentsReloadSchema);
  }

  /** The coordinator's skills (`--skills-dir`) with their digests, and its skills folder's bad entries. */
  listSkills() {
    return this.#call({ method: 'GET', path: '/v1/skills' }, SkillListSchema);
  }

  /** One skill's files (as runners fetch them); an unknown name: 404 with the closest name. */
  getSkill(name: string) {
    return this.#call({ method: 'GET', path: `/v1/skills/${encodeURIComponent(name)}` }, SkillFilesSchema);
  }

  /** Start an ended session again as a new session (same agent, executor, tags, prompt, parent, budget…). */
  retrySession(id: string) {
    return this.#call({ method: 'POST', path: `/v1/sessions/${encodeURIComponent(id)}/retry`, body: {} }, SessionRetriedSchema);
  }

  /** Stop a session and (unless `cascade: false`) its descendants in flight. */
  stopSession(id: string, options: StopSession = {}) {
    return this.#call({ method: 'POST', path: `/v1/sessions/${encodeURIComponent(id)}/stop`, body: options }, SessionStoppedSchema);
  }

  /** A session's callback-mode outcomes, and how many callback-mode runs in flight will still resume it. */
  listCallbacks(id: string) {
    return this.#call({ method: 'GET', path: `/v1/sessions/${encodeURIComponent(id)}/callbacks` }, CallbackListSchema);
  }

  /** Every runner with its health (a user listing, `GET /v1/runners`). */
  listRunners() {
    return this.#call({ method: 'GET', path: '/v1/runners' }, RunnerListSchema);
  }

  /** The notification outbox, newest first (`GET /v1/notifications`). */
  listNotifications(query: { status?: string | undefined; limit?: number | undefined; cursor?: string | undefined } = {}) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    return this.#call({ method: 'GET', path: `/v1/notifications${qs === '' ? '' : `?${qs}`}` }, NotificationPageSchema);
  }

  /** One screen of system status (`GET /v1/status`). */
  getStatus() {
    return this.#call({ method: 'GET', path: '/v1/status' }, SystemStatusSchema);
  }

  /** Delete an ended session and its descendants; a 409 names the one still in flight. */
  deleteSession(id: string) {
    return this.#call({ method: 'DELETE', path: `/v1/sessions/${encodeURIComponent(id)}` }, SessionDeletedSchema);
  }

  /** Delete up to MAX_PRUNE_SESSIONS sessions that ended long enough ago; `more` says whether to call again. */
  pruneSessions(body: PruneSessions) {
    return this.#call({ method: 'POST', path: '/v1/sessions/prune', body }, SessionsPrunedSchema);
  }

  getRun(id: string) {
    return this.#call({ method: 'GET', path: `/v1/runs/${encodeURIComponent(id)}` }, RunViewSchema);
  }

  eventsPage(id: string, after = 0, limit = 500) {
    return this.#call({ method: 'GET', path: `/v1/sessions/${encodeURIComponent(id)}/events?after=${after}&limit=${limit}` }, EventPageSchema);
  }

  /**
   * The session's events, live, from after `after`: reads the SSE stream and reconnects with
   * Last-Event-ID when it drops, so no event is missed or repeated. Ends when `signal` aborts. With
   * `failFast`, a coordinator that does not answer the first connection throws at once.
   */
  followEvents(id: string, after: number, signal: AbortSignal, options: { failFast?: boolean } = {}): AsyncGenerator<SessionEvent> {
    return followSessionEvents(this.#http, id, after, signal, options);
  }

  /** The tree under a session (`depth` levels below it, at most `limit` sessions, breadth first). */
  getTree(id: string, query: { depth?: number; limit?: number } = {}) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
    const qs = params.size === 0 ? '' : `?${params}`;
    return this.#call({ method: 'GET', path: `/v1/sessions/${encodeURIComponent(id)}/tree${qs}` }, SessionTreeSchema);
  }

  /** Every event of the subtree under a session, live, each once (tagged with its depth below it). Ends when `signal` aborts. */
  followTreeEvents(id: string, signal: AbortSignal, options: { failFast?: boolean } = {}): AsyncGenerator<SessionEvent> {
    return followTreeEvents(this.#http, id, signal, options);
  }

  /** A session asks a question or an approval (what the runner's MCP tools call; `body` as AskQuestionSchema). */
  askQuestion(sessionId: string, body: Record<string, unknown>) {
    return this.#call({ method: 'POST', path: `/v1/sessions/${encodeURIComponent(sessionId)}/questions`, body }, QuestionAskedSchema);
  }

  getQuestion(id: string) {
    return this.#call({ method: 'GET', path: `/v1/questions/${encodeURIComponent(id)}` }, QuestionViewSchema);
  }

  /** Questions, oldest first (open ones unless `status` says otherwise). */
  listQuestions(query: ListQuestionsQuery = {}) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
    const qs = params.size === 0 ? '' : `?${params}`;
    return this.#call({ method: 'GET', path: `/v1/questions${qs}` }, QuestionListSchema);
  }

  /** Answer a question once (a second answer is a 409 naming who answered and when). */
  answerQuestion(id: string, body: AnswerQuestion) {
    return this.#call({ method: 'POST', path: `/v1/questions/${encodeURIComponent(id)}/answer`, body }, QuestionViewSchema);
  }

  /** The workflows of the coordinator's folder, and its bad files. */
  listWorkflows() {
    return this.#call({ method: 'GET', path: '/v1/workflows' }, z.looseObject({ workflows: z.array(WorkflowSummarySchema), problems: z.array(WorkflowProblemSchema) }));
  }

  /** A workflow of the folder, with its compiled definition. */
  getWorkflow(name: string) {
    return this.#call({ method: 'GET', path: `/v1/workflows/${encodeURIComponent(name)}` }, WorkflowSummarySchema.extend({ definition: z.record(z.string(), z.unknown()) }));
  }

  /** Start a workflow run (by name, or given whole as `definition`). */
  startWorkflowRun(body: StartWorkflowRun) {
    return this.#call({ method: 'POST', path: '/v1/workflow-runs', body }, WorkflowRunStartedSchema);
  }

  getWorkflowRun(id: string) {
    return this.#call({ method: 'GET', path: `/v1/workflow-runs/${encodeURIComponent(id)}` }, WorkflowRunViewSchema);
  }

  /** Workflow runs newest first (`name`, `status` filter them). */
  listWorkflowRuns(query: { name?: string | undefined; status?: string | undefined; limit?: number | undefined; cursor?: string | undefined } = {}) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
    const qs = params.size === 0 ? '' : `?${params}`;
    return this.#call({ method: 'GET', path: `/v1/workflow-runs${qs}` }, z.looseObject({ workflow_runs: z.array(WorkflowRunSummarySchema), next_cursor: z.string().nullable() }));
  }

  /** The definition a workflow run runs (the one it started with). */
  getWorkflowRunDefinition(id: string) {
    return this.#call({ method: 'GET', path: `/v1/workflow-runs/${encodeURIComponent(id)}/definition` }, z.looseObject({ workflow_run_id: z.string(), definition: z.record(z.string(), z.unknown()) }));
  }

  cancelWorkflowRun(id: string, reason?: string) {
    return this.#call({ method: 'POST', path: `/v1/workflow-runs/${encodeURIComponent(id)}/cancel`, body: reason === undefined ? {} : { reason } }, WorkflowRunViewSchema);
  }

  resumeWorkflowRun(id: string) {
    return this.#call({ method: 'POST', path: `/v1/workflow-runs/${encodeURIComponent(id)}/resume`, body: {} }, WorkflowRunViewSchema);
  }

  /** A workflow run's views as it changes, until it ended (the last view is the ended one) or `signal` aborts. */
  followWorkflowRun(id: string, signal: AbortSignal, options: { tasks?: boolean } = {}): AsyncGenerator<WorkflowRunView> {
    return followWorkflowRun(this.#http, id, signal, options);
  }

  async close(): Promise<void> {
    this.#http.close();
  }
}
