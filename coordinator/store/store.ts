import type { BackoffPolicy } from '../../lib/retry/backoff.js';
import type { RequeuePolicy } from '../constants.js';
import type { AgentDocument } from '../../protocol/agents.js';
import type { RunStatus } from '../../protocol/statuses.js';
import type { CallbackRecord, EventRecord, QuestionRecord, RunRecord, RunnerRecord, SessionRecord } from '../types.js';
import { askQuestion, closeQuestion, getQuestion, listOpenQuestionIds, listQuestions, listTimedOutQuestions, type NewQuestion, type QuestionAsked, type QuestionClose, type QuestionFilter } from './ops/questions.js';
import { deleteAgent, getAgent, listAgents, putAgent } from './ops/agent-documents.js';
import { type AppendResult, appendEvents, type IncomingEvent } from './ops/append-events.js';
import { type AgentUsageSince, listUsageTotals, sumAgentUsageSince, type UsageTotalsRecord } from './ops/list-usage-totals.js';
import { applyRunReport, applyRunReports, type RunReportOutcome, type RunReportToApply, type RunReportApplied } from './ops/apply-run-report.js';
import { type ClaimedRun, claimNextRun, claimRuns, type ClaimingRunner } from './ops/claim-next-run.js';
import { claimForRunner, fitProfileToModel } from './ops/claim-with-profiles.js';
import { type CredentialParkView, listCredentialParks, parkedModels } from './ops/park-run.js';
import { countHeldRuns } from './ops/count-held-runs.js';
import { heartbeatRunner, type HeartbeatResult } from './ops/heartbeat-runner.js';
import { countClaimable, countRunsByStatus } from './ops/count-runs.js';
import { countSystemStatus, type SystemCounts } from './ops/count-system-status.js';
import { createSession, createSessions, type NewSession } from './ops/create-session.js';
import { deleteSession } from './ops/delete-session.js';
import { deregisterRunner } from './ops/deregister-runner.js';
import { listCallbacks } from './ops/deliver-callbacks.js';
import { expireLeases } from './ops/expire-leases.js';
import { failUnplaceable } from './ops/fail-unplaceable.js';
import { type FinishReport, finishRun } from './ops/finish-run.js';
import { getRun, getSession, getSessionWithModel, listRuns } from './ops/get-records.js';
import { getRunnerWithToken } from './ops/get-runner-with-token.js';
import { listEvents } from './ops/list-events.js';
import { listOnlineRunners } from './ops/list-online-runners.js';
import { listRunners } from './ops/list-runners.js';
import { listSessions, type SessionFilter } from './ops/list-sessions.js';
import { type PruneFilter, pruneSessions } from './ops/prune-sessions.js';
import { type NewRunner, registerRunner } from './ops/register-runner.js';
import { releaseRun } from './ops/release-run.js';
import { releaseUnreportedRuns } from './ops/release-unreported-runs.js';
import { type ResumeInput, resumeSession } from './ops/resume-session.js';
import { runsToStop } from './ops/runs-to-stop.js';
import { type RunStarted, startRun } from './ops/start-run.js';
import { stopSessionTree, type StoppedTree } from './ops/stop-session-tree.js';
import { acquireLease } from './ops/acquire-lease.js';
import { listSubtree, readSessionTree, type SubtreeMember, type TreeRead, type TreeRecord } from './ops/session-tree.js';
import { type BudgetStopped, stopTreeForBudget } from './ops/stop-tree-for-budget.js';
import { listBudgetsInFlight } from './ops/list-budgets-in-flight.js';
import { readBudgetHolders } from './ops/read-budget-holders.js';
import type { BudgetHolder, BudgetStop } from '../budget/budget-rules.js';
import { countCallbackRunsInFlight } from './ops/count-callback-runs.js';
import { touchIdleRunners, touchRunner } from './ops/touch-runner.js';
import { claimNotifications, type DeliveryResult, listNotifications, markNotificationsDelivered, type NotificationRecord, pruneNotifications, settleNotification } from './ops/notification-outbox.js';
import { enqueueNotification, type NotificationToEnqueue } from './ops/enqueue-notifications.js';
import { notifyRunnersOffline } from './ops/notify-runners-offline.js';
import type { OutboxPlan } from './outbox-plan.js';
import type { WorkflowDef } from '../../lib/workflow/model.js';
import type { WorkflowRunStatus } from '../../protocol/workflows.js';
import type { NewWorkflowRun, WorkflowDefinitionRecord, WorkflowRunRecord, WorkflowRunStarted, WorkflowSettings } from './workflow-rows.js';
import { deleteWorkflow, getWorkflow, listWorkflows, putWorkflow } from './ops/workflow-definitions.js';
import { listTimedOutWorkflowRuns, listWorkflowRuns, readWorkflowRun, type WorkflowRunListed, type WorkflowRunRead } from './ops/read-workflow-runs.js';
import type { ScheduleFired } from './ops/fire-schedules.js';
import type { WorkflowEngine } from './sql-client.js';

/**
 * The workflow engine and its operations load on first use (the expression language, the matrix, cron):
 * a coordinator that runs no workflow, and every client command that embeds one, starts without them.
 */
const engineModule = () => import('./ops/workflow-events.js');
const controlModule = () => import('./ops/workflow-run-control.js');

/** The engine as the SQL client's hooks hold it: each entry point loads the engine on its first call. */
const lazyEngine: WorkflowEngine = {
  taskRunEnded: async (...a) => (await engineModule()).workflowEngine.taskRunEnded(...a),
  gateClosed: async (...a) => (await engineModule()).workflowEngine.gateClosed(...a),
  childWorkflowEnded: async (...a) => (await engineModule()).workflowEngine.childWorkflowEnded(...a),
  requestWorkflowStop: async (...a) => (await engineModule()).workflowEngine.requestWorkflowStop(...a),
  startWorkflowRunIn: async (...a) => (await engineModule()).workflowEngine.startWorkflowRunIn(...a),
};
import type { Dialect, SqlClient } from './sql-client.js';

export type { SubtreeMember, TreeRead, TreeRecord };
export type { BudgetStopped };
export type { DeliveryResult, NotificationRecord, NotificationToEnqueue, OutboxPlan };
export type { NewQuestion, QuestionAsked, QuestionClose, QuestionFilter };
export type { NewWorkflowRun, ScheduleFired, WorkflowDefinitionRecord, WorkflowRunListed, WorkflowRunRead, WorkflowRunRecord, WorkflowRunStarted, WorkflowSettings };
export type { AppendResult, ClaimedRun, FinishReport, IncomingEvent, NewRunner, NewSession, PruneFilter, ResumeInput, RunReportToApply, RunReportApplied, SessionFilter, SystemCounts };

/**
 * Everything the coordinator keeps. One interface; the SQLite and PostgreSQL stores are the same
 * operations (one file each under `ops/`) over their own SqlClient, and pass one contract suite.
 */
export interface Store {
  readonly dialect: Dialect;
  /** The SQL client underneath, for wake-ups across replicas (notify/listen). */
  readonly sql: SqlClient;
  putAgent(doc: AgentDocument, now: number): Promise<{ created: boolean }>;
  getAgent(name: string): Promise<AgentDocument | null>;
  listAgents(): Promise<AgentDocument[]>;
  deleteAgent(name: string): Promise<boolean>;
  createSession(input: NewSession, now: number): Promise<{ session: SessionRecord; run: RunRecord }>;
  /** Sessions created in one transaction, in order: all or none. */
  createSessions(inputs: readonly NewSession[], now: number): Promise<{ session: SessionRecord; run: RunRecord }[]>;
  getSession(id: string): Promise<SessionRecord | null>;
  /** A session and the model its latest run was given, in one read (`GET /v1/sessions/:id`). */
  getSessionWithModel(id: string): Promise<{ session: SessionRecord; model: string | null } | null>;
  listSessions(filter: SessionFilter, page: { limit: number; before: number | null }): Promise<{ sessions: SessionRecord[]; next: number | null }>;
  /** The subtree under a session, within `maxDepth` levels and `maxNodes` sessions (see readSessionTree). */
  readSessionTree(top: SessionRecord, maxDepth: number, maxNodes: number): Promise<TreeRead>;
  /** Every session of the subtree under a session, breadth first (for tree event streams). */
  listSubtree(top: Pick<SessionRecord, 'id' | 'root_session_id'>): Promise<SubtreeMember[]>;
  /** Take or renew a named lease (one replica at a time does the work it names); see acquireLease. */
  acquireLease(name: string, holder: string, until: number, now: number): Promise<boolean>;
  resumeSession(id: string, input: ResumeInput, now: number): Promise<{ session: SessionRecord; run: RunRecord }>;
  /** Stop a session's run in flight and, with `cascade` (the default), its descendants' (see stopSessionTree). */
  stopSession(id: string, now: number, options?: { cascade?: boolean }): Promise<StoppedTree>;
  /** The sessions among `ids` that carry a budget, deepest first. */
  readBudgetHolders(ids: readonly string[]): Promise<BudgetHolder[]>;
  /** Budgets not yet passed with a session in flight on or under them (looking at up to `max` sessions in flight). */
  listBudgetsInFlight(max: number): Promise<BudgetHolder[]>;
  /** Stop the subtree of a passed budget once, its sessions marked with the reason (null: it was stopped before). */
  stopTreeForBudget(stop: BudgetStop, now: number): Promise<BudgetStopped | null>;
  /** Delete an ended session with its descendants (refused while any of them is in flight). */
  deleteSession(id: string): Promise<{ deleted: number }>;
  /** Delete up to `max` ended sessions matching the filter whose descendants all match too. */
  pruneSessions(filter: PruneFilter, max: number): Promise<{ deleted: number; more: boolean }>;
  getRun(id: string): Promise<RunRecord | null>;
  listRuns(sessionId: string): Promise<RunRecord[]>;
  claimNextRun(runner: { id: string; executors: readonly string[]; tags: readonly string[] }, now: number): Promise<RunRecord | null>;
  /** Up to `max` runs, claimed as claimNextRun would one by one. */
  claimRuns(runner: ClaimingRunner, now: number, max: number): Promise<RunRecord[]>;
  /** claimRuns, each with its session and agent blueprint, read by the claim itself (what a long-poll answers). */
  claimAssignments(runner: ClaimingRunner, now: number, max: number): Promise<ClaimedRun[]>;
  /** A claimed run whose profile does not serve the model it was routed to, given a profile that does (if one is free). */
  fitProfileToModel(runner: ClaimingRunner, run: RunRecord, now: number): Promise<RunRecord>;
  releaseRun(runId: string, now: number): Promise<void>;
  /** The models some credential profile is parked for now (scope `model` rate limits), for model routing. */
  parkedModels(now: number): Promise<Set<string>>;
  /** The credential profiles' parks in force now, with the runs waiting on each (`GET /v1/status`). */
  listCredentialParks(now: number): Promise<CredentialParkView[]>;
  /** Release the runs claimed before `claimedBefore` that `runnerId` holds but did not report (its heartbeat). */
  releaseUnreportedRuns(runnerId: string, reported: readonly string[], claimedBefore: number, now: number): Promise<RunRecord[]>;
  /** `claimed → running`; the model the runner says it gave the executor (`started.model`, `models`) is noted with it. */
  startRun(runId: string, runnerId: string, now: number, started?: RunStarted): Promise<RunRecord>;
  /** The holding runner's outcome; an infra failure is re-queued (see finishHeldRun) per `policy`. */
  finishRun(runId: string, runnerId: string, outcome: FinishReport, now: number, policy: RequeuePolicy): Promise<RunRecord>;
  appendEvents(runId: string, runnerId: string, events: readonly IncomingEvent[], now: number): Promise<AppendResult>;
  /** started + events + finished of one held run, in one transaction, idempotent (a runner's batched report). */
  applyRunReport(runnerId: string, report: RunReportToApply, now: number, policy: RequeuePolicy): Promise<RunReportApplied>;
  /** A runner's batch of reports, each standing alone (one refused does not touch the others); one transaction for all on PostgreSQL when none is refused. */
  applyRunReports(runnerId: string, reports: readonly RunReportToApply[], now: number, policy: RequeuePolicy): Promise<RunReportOutcome[]>;
  listEvents(sessionId: string, after: number, limit: number): Promise<EventRecord[]>;
  /** Outcomes of callback-mode children for a session: waiting (delivered_run_id null) and delivered. */
  listCallbacks(sessionId: string): Promise<CallbackRecord[]>;
  /** Callback-mode runs in flight that will resume this session. */
  countCallbackRunsInFlight(sessionId: string): Promise<number>;
  registerRunner(input: NewRunner, tokenHash: string, now: number): Promise<RunnerRecord>;
  getRunnerWithToken(id: string): Promise<{ runner: RunnerRecord; tokenHash: string } | null>;
  touchRunner(id: string, now: number): Promise<void>;
  /** Renew the leases of runners with a parked long-poll that hold no run (see touchIdleRunners). */
  touchIdleRunners(ids: readonly string[], now: number): Promise<void>;
  /** A heartbeat: the lease, the release of runs held unreported (claimed before `claimedBefore`), the runs to stop. */
  heartbeatRunner(id: string, reported: readonly string[] | undefined, claimedBefore: number, now: number): Promise<HeartbeatResult>;
  listRunners(): Promise<RunnerRecord[]>;
  listOnlineRunners(now: number, leaseMs: number): Promise<RunnerRecord[]>;
  deregisterRunner(id: string, now: number): Promise<void>;
  runsToStop(runnerId: string): Promise<string[]>;
  expireLeases(now: number, leaseMs: number, backoff: BackoffPolicy): Promise<RunRecord[]>;
  /** Fail queued runs no online runner serves once they waited the placement timeout (`runIds`: only those). */
  failUnplaceable(now: number, placementTimeoutMs: number, online: readonly RunnerRecord[], runIds?: readonly string[]): Promise<RunRecord[]>;
  countRunsByStatus(): Promise<Partial<Record<RunStatus, number>>>;
  countClaimable(now: number): Promise<number>;
  /** Runs each runner holds now (claimed or running), by runner id. */
  countHeldRuns(): Promise<Map<string, number>>;
  /** Runs and sessions in flight, the oldest queued run, and runs ended since `since` (GET /v1/status). */
  countSystemStatus(since: number): Promise<SystemCounts>;
  /** Usage totals per agent and per executor (GET /v1/usage, /metrics). */
  listUsageTotals(): Promise<UsageTotalsRecord[]>;
  /** Per agent, the sessions created since `since` (ms) and their own usage (GET /v1/usage?since=). */
  sumAgentUsageSince(since: number): Promise<AgentUsageSince[]>;
  /** Which notifications this coordinator enqueues (its --notify config); null: none, and no statement for them. */
  setOutboxPlan(plan: OutboxPlan | null): void;
  /** Put an event in the outbox for the targets that want it (in a transaction of its own; see enqueueNotification). */
  enqueueNotification(n: NotificationToEnqueue, now: number): Promise<number>;
  /** Enqueue `runner.offline` for runners whose lease ran out (the sweep). */
  notifyRunnersOffline(now: number, leaseMs: number): Promise<string[]>;
  claimNotifications(target: string, now: number, max: number, leaseMs: number): Promise<NotificationRecord[]>;
  settleNotification(claimed: Pick<NotificationRecord, 'seq' | 'attempts'>, result: DeliveryResult, now: number): Promise<boolean>;
  /** Mark rows delivered in one statement. */
  markNotificationsDelivered(seqs: readonly number[], now: number): Promise<void>;
  /** Delete up to `max` delivered or failed notifications settled before `before`. */
  pruneNotifications(before: number, max: number): Promise<number>;
  listNotifications(filter: { status?: NotificationRecord['status'] | undefined }, page: { limit: number; before: number | null }): Promise<{ notifications: NotificationRecord[]; next: number | null }>;
  /** A session asks a question or an approval (nothing is asked for an approval its session remembered). */
  askQuestion(sessionId: string, input: NewQuestion, now: number): Promise<QuestionAsked>;
  getQuestion(id: string): Promise<QuestionRecord | null>;
  /** Questions matching the filter, oldest first, each with its session's agent. */
  listQuestions(filter: QuestionFilter, limit: number): Promise<{ question: QuestionRecord; agent: string | null }[]>;
  /** Answer, time out or cancel an open question, exactly once (ConflictError the second time). */
  closeQuestion(id: string, close: QuestionClose, now: number): Promise<QuestionRecord>;
  /** Open questions of a session (and with `cascade` of its subtree), at most `max`. */
  listOpenQuestionIds(sessionId: string, cascade: boolean, max: number): Promise<string[]>;
  /** Open questions past their timeout. */
  listTimedOutQuestions(now: number, max: number): Promise<QuestionRecord[]>;
  /** What the workflow engine creates its jobs' sessions with (the coordinator's default executor, attempts). */
  setWorkflowSettings(settings: WorkflowSettings): void;
  /** Store a workflow of the folder (see putWorkflow: its schedules count from now when new or changed). */
  putWorkflow(def: WorkflowDef, document: unknown, file: string | null, now: number): Promise<{ created: boolean }>;
  getWorkflow(name: string): Promise<WorkflowDefinitionRecord | null>;
  listWorkflows(): Promise<WorkflowDefinitionRecord[]>;
  deleteWorkflow(name: string): Promise<boolean>;
  /** Start a workflow run: its root session, its jobs, and every job that can start now, in one transaction. */
  startWorkflowRun(input: NewWorkflowRun, now: number): Promise<WorkflowRunStarted>;
  /** A workflow run; `tasks: false` sums each job's tasks up instead of listing them (a live follower's read). */
  readWorkflowRun(id: string, options?: { tasks?: boolean }): Promise<WorkflowRunRead | null>;
  listWorkflowRuns(filter: { name?: string | undefined; status?: WorkflowRunStatus | undefined }, page: { limit: number; before: number | null }): Promise<{ runs: WorkflowRunListed[]; next: number | null }>;
  cancelWorkflowRun(id: string, now: number): Promise<WorkflowRunRecord>;
  resumeWorkflowRun(id: string, now: number): Promise<WorkflowRunRecord>;
  /** Stop the running workflow runs past their timeout (at most `max`). */
  timeOutWorkflowRuns(now: number, max: number): Promise<string[]>;
  /** Fire each scheduled workflow's due slot, once across replicas and restarts. */
  fireSchedules(now: number): Promise<ScheduleFired[]>;
  close(): Promise<void>;
}

/** Bind every store operation to one SQL client. */
export function createStore(sql: SqlClient): Store {
  sql.hooks.engine = lazyEngine;
  return {
    dialect: sql.dialect,
    sql,
    putAgent: (doc, now) => putAgent(sql, doc, now),
    getAgent: (name) => getAgent(sql, name),
    listAgents: () => listAgents(sql),
    deleteAgent: (name) => deleteAgent(sql, name),
    createSession: (input, now) => createSession(sql, input, now),
    createSessions: (inputs, now) => createSessions(sql, inputs, now),
    getSession: (id) => getSession(sql, id),
    getSessionWithModel: (id) => getSessionWithModel(sql, id),
    listSessions: (filter, page) => listSessions(sql, filter, page),
    readSessionTree: (top, maxDepth, maxNodes) => readSessionTree(sql, top, maxDepth, maxNodes),
    listSubtree: (top) => listSubtree(sql, top),
    acquireLease: (name, holder, until, now) => acquireLease(sql, name, holder, until, now),
    resumeSession: (id, input, now) => resumeSession(sql, id, input, now),
    stopSession: (id, now, options) => stopSessionTree(sql, id, now, options?.cascade ?? true),
    readBudgetHolders: (ids) => readBudgetHolders(sql, ids),
    listBudgetsInFlight: (max) => listBudgetsInFlight(sql, max),
    stopTreeForBudget: (stop, now) => stopTreeForBudget(sql, stop, now),
    deleteSession: (id) => deleteSession(sql, id),
    pruneSessions: (filter, max) => pruneSessions(sql, filter, max),
    getRun: (id) => getRun(sql, id),
    listRuns: (sessionId) => listRuns(sql, sessionId),
    claimNextRun: (runner, now) => claimNextRun(sql, runner, now),
    claimRuns: (runner, now, max) => claimRuns(sql, runner, now, max),
    claimAssignments: (runner, now, max) => claimForRunner(sql, runner, now, max),
    fitProfileToModel: (runner, run, now) => fitProfileToModel(sql, runner, run, now),
    releaseRun: (runId, now) => releaseRun(sql, runId, now),
    parkedModels: (now) => parkedModels(sql, now),
    listCredentialParks: (now) => listCredentialParks(sql, now),
    releaseUnreportedRuns: (runnerId, reported, claimedBefore, now) => releaseUnreportedRuns(sql, runnerId, reported, claimedBefore, now),
    startRun: (runId, runnerId, now, started) => startRun(sql, runId, runnerId, now, started),
    finishRun: (runId, runnerId, outcome, now, backoff) => finishRun(sql, runId, runnerId, outcome, now, backoff),
    appendEvents: (runId, runnerId, events, now) => appendEvents(sql, runId, runnerId, events, now),
    applyRunReport: (runnerId, report, now, backoff) => applyRunReport(sql, runnerId, report, now, backoff),
    applyRunReports: (runnerId, reports, now, backoff) => applyRunReports(sql, runnerId, reports, now, backoff),
    listEvents: (sessionId, after, limit) => listEvents(sql, sessionId, after, limit),
    listCallbacks: (sessionId) => listCallbacks(sql, sessionId),
    countCallbackRunsInFlight: (sessionId) => countCallbackRunsInFlight(sql, sessionId),
    registerRunner: (input, tokenHash, now) => registerRunner(sql, input, tokenHash, now),
    getRunnerWithToken: (id) => getRunnerWithToken(sql, id),
    touchRunner: (id, now) => touchRunner(sql, id, now),
    touchIdleRunners: (ids, now) => touchIdleRunners(sql, ids, now),
    heartbeatRunner: (id, reported, claimedBefore, now) => heartbeatRunner(sql, id, reported, claimedBefore, now),
    listRunners: () => listRunners(sql),
    listOnlineRunners: (now, leaseMs) => listOnlineRunners(sql, now, leaseMs),
    deregisterRunner: (id, now) => deregisterRunner(sql, id, now),
    runsToStop: (runnerId) => runsToStop(sql, runnerId),
    expireLeases: (now, leaseMs, backoff) => expireLeases(sql, now, leaseMs, backoff),
    failUnplaceable: (now, timeout, online, runIds) => failUnplaceable(sql, now, timeout, online, runIds),
    countRunsByStatus: () => countRunsByStatus(sql),
    countClaimable: (now) => countClaimable(sql, now),
    countHeldRuns: () => countHeldRuns(sql),
    countSystemStatus: (since) => countSystemStatus(sql, since),
    listUsageTotals: () => listUsageTotals(sql),
    sumAgentUsageSince: (since) => sumAgentUsageSince(sql, since),
    setOutboxPlan: (plan) => {
      sql.hooks.outbox = plan;
    },
    enqueueNotification: (n, now) => sql.transaction((tx) => enqueueNotification(tx, n, now)),
    notifyRunnersOffline: (now, leaseMs) => notifyRunnersOffline(sql, now, leaseMs),
    claimNotifications: (target, now, max, leaseMs) => claimNotifications(sql, target, now, max, leaseMs),
    settleNotification: (claimed, result, now) => settleNotification(sql, claimed, result, now),
    markNotificationsDelivered: (seqs, now) => markNotificationsDelivered(sql, seqs, now),
    pruneNotifications: (before, max) => pruneNotifications(sql, before, max),
    listNotifications: (filter, page) => listNotifications(sql, filter, page),
    askQuestion: (sessionId, input, now) => askQuestion(sql, sessionId, input, now),
    getQuestion: (id) => getQuestion(sql, id),
    listQuestions: (filter, limit) => listQuestions(sql, filter, limit),
    closeQuestion: (id, close, now) => closeQuestion(sql, id, close, now),
    listOpenQuestionIds: (sessionId, cascade, max) => listOpenQuestionIds(sql, sessionId, cascade, max),
    listTimedOutQuestions: (now, max) => listTimedOutQuestions(sql, now, max),
    setWorkflowSettings: (settings) => {
      sql.hooks.workflows = settings;
    },
    putWorkflow: (def, document, file, now) => putWorkflow(sql, def, document, file, now),
    getWorkflow: (name) => getWorkflow(sql, name),
    listWorkflows: () => listWorkflows(sql),
    deleteWorkflow: (name) => deleteWorkflow(sql, name),
    startWorkflowRun: async (input, now) => (await import('./ops/start-workflow-run.js')).startWorkflowRun(sql, input, now),
    readWorkflowRun: (id, options) => readWorkflowRun(sql, id, options),
    listWorkflowRuns: (filter, page) => listWorkflowRuns(sql, filter, page),
    cancelWorkflowRun: async (id, now) => (await controlModule()).cancelWorkflowRun(sql, id, now),
    resumeWorkflowRun: async (id, now) => (await controlModule()).resumeWorkflowRun(sql, id, now),
    timeOutWorkflowRuns: async (now, max) => {
      const ids = await listTimedOutWorkflowRuns(sql, now, max);
      return ids.length === 0 ? [] : (await controlModule()).timeOutWorkflowRuns(sql, ids, now);
    },
    fireSchedules: async (now) => {
      // Most coordinators schedule nothing: one indexed look, and cron is never loaded.
      const any = await sql.query('SELECT 1 AS one FROM workflows WHERE schedule_since IS NOT NULL LIMIT 1');
      return any.length === 0 ? [] : (await import('./ops/fire-schedules.js')).fireSchedules(sql, now);
    },
    close: () => sql.close(),
  };
}
