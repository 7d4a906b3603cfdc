/**
 * Every endpoint of the HTTP API with its request body or query and its replies, by status: the table
 * `npm run schemas` renders as schemas/http-api.openapi.json, and the reply tests walk. Not loaded by
 * the clients (they import the one area they call).
 */
import type { z } from 'zod';
import { AgentDocumentPutSchema, AgentDocumentSchema, AgentListSchema, AgentsReloadSchema, StoredAgentSchema } from './agents.js';
import { EventPageSchema, EventsQuerySchema, SessionEventSchema } from './events.js';
import { HealthSchema } from './health.js';
import { MentionMessageSchema, MentionsStartedSchema } from './mentions.js';
import { NotificationBodySchema, NotificationPageSchema, NotificationsQuerySchema, NotifyConfigSchema } from './notifications.js';
import { SystemStatusSchema } from './status.js';
import { SessionTreeSchema, TreeQuerySchema } from './tree.js';
import { ChangeMessageSchema } from './changes.js';
import { AgentMcpSchema, McpToolCallSchema, McpToolResultSchema } from './agent-mcp.js';
import { AnswerQuestionSchema, AskQuestionSchema, ListQuestionsQuerySchema, QuestionAskedSchema, QuestionListSchema, QuestionViewSchema } from './questions.js';
import { UsageQuerySchema, UsageReportSchema } from './usage.js';
import { ModelChoiceSchema, RoutingStatusSchema, SelectModelSchema } from './routing.js';
import { EventBatchResultSchema, EventBatchSchema, RunFinishedSchema, RunReportResultsSchema, RunReportsSchema, RunStartedSchema } from './run-reports.js';
import { HeartbeatReplySchema, HeartbeatSchema, PollAnswerSchema, PollSchema, RegisterRunnerSchema, RegistrationSchema, RunnerListSchema } from './runners.js';
import {
  CallbackListSchema,
  CreateSessionSchema,
  CreateSessionsSchema,
  ListRunsQuerySchema,
  ListSessionsQuerySchema,
  PruneSessionsSchema,
  ResumeSessionSchema,
  RunListSchema,
  RunViewSchema,
  SessionOutcomeSchema,
  SessionDeletedSchema,
  SessionPageSchema,
  SessionsPrunedSchema,
  SessionStartedSchema,
  SessionsStartedSchema,
  SessionRetriedSchema,
  RetrySessionSchema,
  SessionStoppedSchema,
  SessionViewSchema,
  StopSessionSchema,
} from './sessions.js';

/** Who may call: anyone, an API client (API token when the coordinator has one), or the runner named in the path (its token). */
export type Caller = 'anyone' | 'client' | 'runner';

export interface Endpoint {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** OpenAPI path template: `{id}` for a path parameter. */
  path: string;
  summary: string;
  caller: Caller;
  body?: z.ZodType;
  query?: z.ZodObject;
  /** JSON replies by status; `null` for a reply without a body (204, 304). */
  replies: Record<number, z.ZodType | null>;
  /** Set when the endpoint also streams `text/event-stream`, each message's `data` one of these. */
  stream?: z.ZodType;
}

/** Named schemas: each is one entry of the OpenAPI document's components. */
export const NAMED_SCHEMAS: Record<string, z.ZodType> = {
  Health: HealthSchema,
  SystemStatus: SystemStatusSchema,
  UsageReport: UsageReportSchema,
  AgentDocument: StoredAgentSchema,
  AgentFile: AgentDocumentSchema,
  AgentDocumentPut: AgentDocumentPutSchema,
  AgentList: AgentListSchema,
  AgentsReload: AgentsReloadSchema,
  CreateSession: CreateSessionSchema,
  ResumeSession: ResumeSessionSchema,
  SessionStarted: SessionStartedSchema,
  CreateSessions: CreateSessionsSchema,
  SessionsStarted: SessionsStartedSchema,
  SessionView: SessionViewSchema,
  SessionPage: SessionPageSchema,
  SessionOutcome: SessionOutcomeSchema,
  SessionDeleted: SessionDeletedSchema,
  PruneSessions: PruneSessionsSchema,
  SessionsPruned: SessionsPrunedSchema,
  StopSession: StopSessionSchema,
  SessionStopped: SessionStoppedSchema,
  RetrySession: RetrySessionSchema,
  SessionRetried: SessionRetriedSchema,
  CallbackList: CallbackListSchema,
  SessionTree: SessionTreeSchema,
  RunView: RunViewSchema,
  RunList: RunListSchema,
  SessionEvent: SessionEventSchema,
  EventPage: EventPageSchema,
  RegisterRunner: RegisterRunnerSchema,
  Registration: RegistrationSchema,
  RunnerList: RunnerListSchema,
  Heartbeat: HeartbeatSchema,
  HeartbeatReply: HeartbeatReplySchema,
  Poll: PollSchema,
  PollAnswer: PollAnswerSchema,
  RunReports: RunReportsSchema,
  RunReportResults: RunReportResultsSchema,
  RunStarted: RunStartedSchema,
  EventBatch: EventBatchSchema,
  EventBatchResult: EventBatchResultSchema,
  RunFinished: RunFinishedSchema,
  NotificationPage: NotificationPageSchema,
  NotificationBody: NotificationBodySchema,
  NotifyConfig: NotifyConfigSchema,
  AskQuestion: AskQuestionSchema,
  QuestionAsked: QuestionAskedSchema,
  QuestionView: QuestionViewSchema,
  QuestionList: QuestionListSchema,
  AnswerQuestion: AnswerQuestionSchema,
  ChangeMessage: ChangeMessageSchema,
  AgentMcp: AgentMcpSchema,
  McpToolCall: McpToolCallSchema,
  McpToolResult: McpToolResultSchema,
  MentionMessage: MentionMessageSchema,
  MentionsStarted: MentionsStartedSchema,
  RoutingStatus: RoutingStatusSchema,
  SelectModel: SelectModelSchema,
  ModelChoice: ModelChoiceSchema,
};

const S = NAMED_SCHEMAS;

export const ENDPOINTS: readonly Endpoint[] = [
  { method: 'GET', path: '/healthz', summary: 'Whether the coordinator answers, and its store.', caller: 'anyone', replies: { 200: S.Health! } },
  { method: 'GET', path: '/v1/status', summary: 'One screen of system status: coordinator and store, runners, runs in flight, queue age, the last hour.', caller: 'client', replies: { 200: S.SystemStatus! } },
  { method: 'GET', path: '/v1/usage', summary: 'Tokens and cost of every run, per agent and per executor (kept as runs report, never rescanned); with since, per agent the sessions created since then.', caller: 'client', query: UsageQuerySchema, replies: { 200: S.UsageReport! } },
  { method: 'GET', path: '/v1/changes', summary: 'What changed in the store, live (text/event-stream, `event: change`): ids of sessions, trees, workflow runs and questions; no history.', caller: 'client', replies: {}, stream: S.ChangeMessage! },
  { method: 'GET', path: '/v1/notifications', summary: 'The notification outbox, newest first: deliveries, retries and failures (targets by name, never their URLs or secrets).', caller: 'client', query: NotificationsQuerySchema, replies: { 200: S.NotificationPage! } },
  { method: 'GET', path: '/v1/agents', summary: 'Every agent blueprint.', caller: 'client', replies: { 200: S.AgentList! } },
  { method: 'GET', path: '/v1/agents/{name}', summary: 'One agent blueprint; 304 while If-None-Match matches its ETag.', caller: 'client', replies: { 200: S.AgentDocument!, 304: null } },
  { method: 'PUT', path: '/v1/agents/{name}', summary: 'Create or replace an agent blueprint.', caller: 'client', body: S.AgentDocumentPut!, replies: { 200: S.AgentDocument!, 201: S.AgentDocument! } },
  { method: 'DELETE', path: '/v1/agents/{name}', summary: 'Delete an agent blueprint.', caller: 'client', replies: { 204: null } },
  { method: 'GET', path: '/v1/agents/{name}/mcp', summary: "The agent's MCP servers and their tools, listed by the coordinator with the MCP client (each server's error instead when it cannot be reached).", caller: 'client', replies: { 200: S.AgentMcp! } },
  { method: 'POST', path: '/v1/agents/{name}/mcp/{server}/call', summary: "Call one tool of one of the agent's MCP servers.", caller: 'client', body: S.McpToolCall!, replies: { 200: S.McpToolResult! } },
  { method: 'POST', path: '/v1/agents/reload', summary: 'Read the agents folder again; every good file is stored, a bad one keeps its last good version.', caller: 'client', replies: { 200: S.AgentsReload! } },
  { method: 'GET', path: '/v1/routing', summary: 'The model routing file in use (--routing), its rules, and why its latest version was refused if it was.', caller: 'client', replies: { 200: S.RoutingStatus! } },
  { method: 'POST', path: '/v1/routing/select', summary: 'What the router would pick now for a session of an agent (a kind, tags, under a parent): the model, its fallbacks, the rule that matched and why (the MCP tool select_model).', caller: 'client', body: S.SelectModel!, replies: { 200: S.ModelChoice! } },
  { method: 'POST', path: '/v1/sessions', summary: 'Start a session (its first run is queued).', caller: 'client', body: S.CreateSession!, replies: { 201: S.SessionStarted! } },
  { method: 'POST', path: '/v1/sessions/batch', summary: 'Start up to 1,000 sessions in one transaction, in order: all of them, or none when one is refused (the error names its index).', caller: 'client', body: S.CreateSessions!, replies: { 201: S.SessionsStarted! } },
  { method: 'POST', path: '/v1/mentions', summary: 'A message addressed by @mention: one session per agent mentioned (all names checked first; an unknown one starts nothing).', caller: 'client', body: S.MentionMessage!, replies: { 201: S.MentionsStarted! } },
  { method: 'GET', path: '/v1/sessions', summary: 'Sessions, newest first, a page at a time.', caller: 'client', query: ListSessionsQuerySchema, replies: { 200: S.SessionPage! } },
  { method: 'GET', path: '/v1/sessions/{id}', summary: 'One session.', caller: 'client', replies: { 200: S.SessionView! } },
  { method: 'DELETE', path: '/v1/sessions/{id}', summary: 'Delete an ended session and its descendants, with their runs and events (409 while any is in flight).', caller: 'client', replies: { 200: S.SessionDeleted! } },
  { method: 'POST', path: '/v1/sessions/prune', summary: 'Delete sessions that ended long enough ago (never one in flight or with a descendant kept).', caller: 'client', body: S.PruneSessions!, replies: { 200: S.SessionsPruned! } },
  { method: 'GET', path: '/v1/sessions/{id}/result', summary: "A session's status, result and usage.", caller: 'client', replies: { 200: S.SessionOutcome! } },
  { method: 'GET', path: '/v1/sessions/{id}/tree', summary: 'The tree under a session: each node with status, runner, times, attempts, usage and children; depth- and node-limited, breadth first.', caller: 'client', query: TreeQuerySchema, replies: { 200: S.SessionTree! } },
  { method: 'POST', path: '/v1/sessions/{id}/questions', summary: 'A session asks a person a question or an approval (what the MCP tools ask_user and request_approval call); an approval its session allowed for the session answers remembered.', caller: 'client', body: S.AskQuestion!, replies: { 201: S.QuestionAsked! } },
  { method: 'GET', path: '/v1/questions', summary: 'Questions and approvals, oldest first (open ones unless status says otherwise), by session or tree root.', caller: 'client', query: ListQuestionsQuerySchema, replies: { 200: S.QuestionList! } },
  { method: 'GET', path: '/v1/questions/{id}', summary: 'One question or approval, with its answer once answered.', caller: 'client', replies: { 200: S.QuestionView! } },
  { method: 'POST', path: '/v1/questions/{id}/answer', summary: 'Answer a question once: text or choice, or an approval\'s decision (with message, remember); 409 the second time, naming who answered and when.', caller: 'client', body: S.AnswerQuestion!, replies: { 200: S.QuestionView! } },
  { method: 'GET', path: '/v1/sessions/{id}/callbacks', summary: 'Callback-mode outcomes waiting for (or delivered to) a session.', caller: 'client', replies: { 200: S.CallbackList! } },
  { method: 'GET', path: '/v1/sessions/{id}/runs', summary: "A session's runs.", caller: 'client', replies: { 200: S.RunList! } },
  { method: 'POST', path: '/v1/sessions/{id}/resume', summary: 'Queue a new run on an ended session.', caller: 'client', body: S.ResumeSession!, replies: { 201: S.SessionStarted! } },
  { method: 'POST', path: '/v1/sessions/{id}/stop', summary: "Stop a session's run and its descendants' (202 while its runner stops it).", caller: 'client', body: S.StopSession!, replies: { 200: S.SessionStopped!, 202: S.SessionStopped! } },
  { method: 'POST', path: '/v1/sessions/{id}/retry', summary: 'Start an ended session again as a new session (same agent, executor, tags, prompt, project_dir, parent, priority, timeout, budget); 409 while it is in flight.', caller: 'client', body: S.RetrySession!, replies: { 201: S.SessionRetried! } },
  { method: 'GET', path: '/v1/sessions/{id}/events', summary: "A session's events: a JSON page, or live as text/event-stream (Last-Event-ID resumes).", caller: 'client', query: EventsQuerySchema, replies: { 200: S.EventPage! }, stream: S.SessionEvent! },
  { method: 'GET', path: '/v1/runs', summary: "A session's runs.", caller: 'client', query: ListRunsQuerySchema, replies: { 200: S.RunList! } },
  { method: 'GET', path: '/v1/runs/{id}', summary: 'One run.', caller: 'client', replies: { 200: S.RunView! } },
  { method: 'POST', path: '/v1/runners', summary: 'Register a runner: its id, token and timings.', caller: 'client', body: S.RegisterRunner!, replies: { 201: S.Registration! } },
  { method: 'GET', path: '/v1/runners', summary: 'Every runner with its health.', caller: 'client', replies: { 200: S.RunnerList! } },
  { method: 'DELETE', path: '/v1/runners/{id}', summary: 'Deregister a runner (its runs are taken back).', caller: 'runner', replies: { 204: null } },
  { method: 'POST', path: '/v1/runners/{id}/heartbeat', summary: 'Keep the lease; answers the runs to stop.', caller: 'runner', body: S.Heartbeat!, replies: { 200: S.HeartbeatReply! } },
  { method: 'POST', path: '/v1/runners/{id}/next-run', summary: 'The long-poll: claimed runs and stop requests.', caller: 'runner', body: S.Poll!, replies: { 200: S.PollAnswer! } },
  { method: 'POST', path: '/v1/runners/{id}/reports', summary: 'Started, events and finished of several runs; one result per run.', caller: 'runner', body: S.RunReports!, replies: { 200: S.RunReportResults! } },
  { method: 'POST', path: '/v1/runs/{id}/started', summary: 'The executor of a held run started.', caller: 'runner', body: S.RunStarted!, replies: { 200: S.RunView! } },
  { method: 'POST', path: '/v1/runs/{id}/events', summary: 'A batch of events of a held run.', caller: 'runner', body: S.EventBatch!, replies: { 200: S.EventBatchResult! } },
  { method: 'POST', path: '/v1/runs/{id}/finished', summary: 'How a held run ended.', caller: 'runner', body: S.RunFinished!, replies: { 200: S.RunView! } },
];
