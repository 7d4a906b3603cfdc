/** `/v1/sessions` and `/v1/runs`: what a client sends to start, resume, list and stop sessions, and what it gets back. */
import { z } from 'zod';
import { id, isoTime, limit, priority, projectDir, prompt, tags, timeoutS } from './fields.js';
import { MAX_AGE_S, MAX_BATCH_SESSIONS, MAX_RUN_ATTEMPTS } from './limits.js';
import { ENDED_SESSION_STATUSES, RunModeSchema, RunStatusSchema, SessionStatusSchema } from './statuses.js';
import { BudgetSchema, BudgetStatusSchema, UsageTotalsSchema } from './tree.js';
import { traceparentField } from './trace-context.js';
import { kindField } from './routing.js';
import './zod-config.js';

export const CreateSessionSchema = z
  .strictObject({
    agent: id('agent').optional(),
    executor: id('executor').optional(),
    prompt,
    tags: tags.optional(),
    project_dir: projectDir.optional(),
    parent_session_id: id('parent_session_id').optional(),
    priority: priority.optional(),
    timeout_s: timeoutS.optional(),
    max_attempts: z.int().min(1).max(MAX_RUN_ATTEMPTS).optional(),
    callback_session_id: id('callback_session_id').optional().describe('Resume this session with the outcome when the run ends.'),
    /** A root's runs are spans of this trace, under this span (a child's are in its parent's trace whatever this says). */
    traceparent: traceparentField.optional(),
    budget: BudgetSchema.optional().describe(
      'Limits on the new session\'s tree (defaults to its agent\'s `budget`). Under a parent, never more than what the parent\'s tree has left.',
    ),
    kind: kindField.optional(),
  })
  .describe('`executor` defaults to the agent\'s, else the coordinator\'s default executor (--default-executor, claude-code).');
export type CreateSession = z.input<typeof CreateSessionSchema>;

/** `POST /v1/sessions/batch`: sessions created in one transaction, in order: all of them or, when one is refused, none. */
export const CreateSessionsSchema = z.strictObject({
  sessions: z
    .array(CreateSessionSchema)
    .min(1, 'sessions must list at least one session')
    .max(MAX_BATCH_SESSIONS, `sessions lists at most ${MAX_BATCH_SESSIONS} sessions in one request (send the rest in another)`),
});
export type CreateSessions = z.input<typeof CreateSessionsSchema>;

export const ResumeSessionSchema = z.strictObject({
  prompt,
  priority: priority.optional(),
  timeout_s: timeoutS.optional(),
  callback_session_id: id('callback_session_id').optional(),
});

/** The longest text `GET /v1/sessions?q=` searches prompts for. */
export const MAX_SESSION_SEARCH_CHARS = 200;
/** How many positions (sessions.seq) one `?q=` request scans back at most: its cost is bounded whatever it matches. */
export const SESSION_SEARCH_WINDOW = 20_000;

export const ListSessionsQuerySchema = z.strictObject({
  status: SessionStatusSchema.optional(),
  parent: id('parent').optional(),
  root: id('root').optional().describe('Only the sessions of the tree under this root (itself included).'),
  agent: id('agent').optional(),
  executor: id('executor').optional(),
  q: z
    .string()
    .min(1, { message: 'q must not be empty' })
    .max(MAX_SESSION_SEARCH_CHARS, { message: `q is longer than ${MAX_SESSION_SEARCH_CHARS} characters` })
    .refine((text) => !text.includes('\0'), { message: 'q must not contain NUL' })
    .optional()
    .describe(
      `Only sessions whose prompt contains this text (case-insensitive). A scan: each request examines at most ${SESSION_SEARCH_WINDOW} sessions; a page with fewer matches and a cursor continues further back.`,
    ),
  limit: limit.optional(),
  cursor: id('cursor').optional(),
});
export type ListSessionsQuery = z.input<typeof ListSessionsQuerySchema>;

export const ListRunsQuerySchema = z.strictObject({ session_id: id('session_id') });

/** A session's result: what its last run reported as its result (a `result` event or `report_result`). */
export const SessionResultSchema = z.looseObject({
  result_text: z.string().optional(),
  result_data: z.unknown().optional(),
  is_error: z.boolean().optional(),
});

/** Why a queued run is not taken, as one word: see WaitingSchema. */
export const WAITING_REASONS = ['no_runner_online', 'no_runner_serves', 'retry_backoff', 'runner_busy', 'rate_limit'] as const;
export type WaitingReason = (typeof WAITING_REASONS)[number];

/** An online runner as a placement explanation shows it: what it serves, and whether it may take the run. */
export const PlacementRunnerSchema = z.looseObject({
  runner_id: z.string(),
  name: z.string(),
  executors: z.array(z.string()),
  tags: z.array(z.string()),
  /** It has the executor and every tag asked for, and was not excluded. */
  serves: z.boolean(),
  /** Its executor failed this run with exit 75 before, so the run is not given to it again. */
  excluded: z.boolean(),
});

/**
 * Why a session's queued run waits (`GET /v1/sessions/:id`, while its latest run is queued): what it asked
 * for, the online runners and what they serve, and one sentence saying it. `reason`: `no_runner_online`
 * (none at all), `no_runner_serves` (none has the executor and tags, or those that do failed it before),
 * `retry_backoff` (a retry waits for its delay), `runner_busy` (a runner serves it; no slot is free yet),
 * `rate_limit` (parked until its credential profile's limit resets: docs/coordinator.md, "Parking").
 */
export const WaitingSchema = z.looseObject({
  run_id: z.string(),
  reason: z.enum(WAITING_REASONS),
  message: z.string(),
  executor: z.string().nullable(),
  tags: z.array(z.string()),
  excluded_runners: z.array(z.string()),
  /** Online runners (at most MAX_WAITING_RUNNERS, those that serve it first) and how many are online in all. */
  runners: z.array(PlacementRunnerSchema),
  runners_online: z.int().min(0),
  /** When a retry may be taken (`retry_backoff`). */
  available_at: isoTime,
  /** When the run fails unless a runner that serves it comes (placement timeout); null while one is online. */
  fails_at: isoTime.nullable(),
});
export type Waiting = z.infer<typeof WaitingSchema>;

/**
 * A session as the API shows it. Replies are loose objects: a newer coordinator may add fields, which
 * clients keep. `usage` is what the runs reported (JSON the coordinator does not interpret).
 */
export const SessionViewSchema = z.looseObject({
  session_id: z.string(),
  status: SessionStatusSchema,
  agent: z.string().nullable(),
  executor: z.string().nullable(),
  tags: z.array(z.string()),
  project_dir: z.string().nullable(),
  parent_session_id: z.string().nullable(),
  priority: z.number(),
  timeout_s: z.number().nullable(),
  prompt: z.string(),
  result: SessionResultSchema.nullable(),
  usage: z.record(z.string(), z.unknown()).nullable(),
  executor_session_id: z.string().nullable(),
  runner_id: z.string().nullable(),
  last_run_id: z.string(),
  last_event_seq: z.number(),
  created_at: isoTime,
  updated_at: isoTime,
  ended_at: isoTime.nullable(),
  /** Its tree: the root (itself for a root), its depth (a root is 0), and how many sessions are under it. */
  root_session_id: z.string(),
  depth: z.number(),
  children_count: z.number(),
  descendants_count: z.number(),
  /** Its own usage summed over all its runs, and its subtree's (itself and every descendant): see UsageTotalsSchema. */
  totals: UsageTotalsSchema,
  tree_totals: UsageTotalsSchema,
  /** Limits on its subtree given when it was created (null: only its ancestors' apply). */
  budget: BudgetSchema.nullable(),
  /** Why the coordinator stopped its tree (a budget passed), or null. */
  stop_reason: z.record(z.string(), z.unknown()).nullable(),
  /**
   * The W3C trace its runs' spans belong to (its whole tree's; docs/observability.md), or null for a session
   * from before traces (absent from coordinators before them).
   */
  trace_id: z.string().nullable().optional(),
  /**
   * Its questions and approvals still open, and whether it waits for a person (open_questions > 0): a derived
   * state beside `status` (a session asking with wait:true is running, one that asked with wait:false is idle).
   * Absent from coordinators before questions.
   */
  open_questions: z.number().optional(),
  waiting_for_input: z.boolean().optional(),
  /** Its Agent Skills, fixed when it was created: its agent's, and its parent's unless the agent says `inherit_skills: false` (absent from coordinators before skills). */
  skills: z.array(z.string()).optional(),
  /** What its tree has left under every budget on it and its ancestors (`GET /v1/sessions/:id` only; null: no budget applies). */
  budget_left: BudgetStatusSchema.nullable().optional(),
  /** Why its latest run is still queued (`GET /v1/sessions/:id` only; null when it is not queued). */
  waiting: WaitingSchema.nullable().optional(),
  /**
   * Its latest run is parked for a rate limit (docs/coordinator.md, "Parking"): until when, on which credential
   * profile (a name), the executor's message, and the sentence ("waiting for rate limit until 21:20 UTC
   * (profile team-a)"). Null when it is not parked now; absent from coordinators before issue 18.
   */
  rate_limit_wait: z
    .looseObject({ until: isoTime, profile: z.string().nullable(), reason: z.string(), message: z.string() })
    .nullable()
    .optional(),
  /** The task kind it was started with (null: none; absent from coordinators before routing). */
  kind: z.string().nullable().optional(),
  /** The model its latest run was given when claimed (`GET /v1/sessions/:id` only; null: not claimed yet, or no model anywhere). */
  model: z.string().nullable().optional(),
});
export type SessionView = z.infer<typeof SessionViewSchema>;
export type SessionResult = z.infer<typeof SessionResultSchema>;

/** A run's outcome as its runner reported it (RunFinishedSchema); clients read its kind and one-line message. */
export const RunOutcomeSummarySchema = z.looseObject({ kind: z.string().optional(), message: z.string().optional() });

/** A run as the API shows it; `outcome` is what its runner reported (see RunFinishedSchema). */
export const RunViewSchema = z.looseObject({
  run_id: z.string(),
  session_id: z.string(),
  mode: RunModeSchema,
  status: RunStatusSchema,
  prompt: z.string(),
  priority: z.number(),
  executor: z.string().nullable(),
  tags: z.array(z.string()),
  timeout_s: z.number().nullable(),
  attempt: z.number(),
  max_attempts: z.number(),
  runner_id: z.string().nullable(),
  executor_session_id: z.string().nullable(),
  stop_requested: z.boolean(),
  last_event_seq: z.number(),
  outcome: RunOutcomeSummarySchema.nullable(),
  error: z.string().nullable(),
  created_at: isoTime,
  queued_at: isoTime,
  available_at: isoTime,
  claimed_at: isoTime.nullable(),
  started_at: isoTime.nullable(),
  finished_at: isoTime.nullable(),
  callback_session_id: z.string().nullable(),
  /** Runners whose executor failed this run with exit 75: its retries are not given to them. */
  excluded_runners: z.array(z.string()),
  /**
   * What the run's current attempt counted of its usage (docs/coordinator.md, "Usage totals"): the token
   * counters and its own `cost_usd`, its `attempt`, and for an executor-session cost the figure reported
   * and the part earlier runs counted (`executor_session_cost_usd`, `cost_base_usd`); null before any.
   */
  usage: z.record(z.string(), z.unknown()).nullable().optional(),
  /** The credential profile its runner was told to use (a name; null: none). Absent from coordinators before issue 18. */
  credential_profile: z.string().nullable().optional(),
  /** Parked for a rate limit: queued until then (null: not parked), why, and how often it was parked. */
  parked_until: isoTime.nullable().optional(),
  park_reason: z.string().nullable().optional(),
  parks: z.int().min(0).optional(),
  /** The model chosen when it was claimed (docs/coordinator.md, "Models and routing"); null before, or when no model is given anywhere. */
  model: z.string().nullable().optional(),
  /** The chosen model and its fallbacks in order (empty before the claim). */
  models: z.array(z.string()).optional(),
});
export type RunView = z.infer<typeof RunViewSchema>;
export type RunOutcomeSummary = z.infer<typeof RunOutcomeSummarySchema>;

/** `POST /v1/sessions` and `POST /v1/sessions/:id/resume` (201): the session and its new run. */
export const SessionStartedSchema = z.looseObject({ session_id: z.string(), run_id: z.string(), status: SessionStatusSchema });

/** `POST /v1/sessions/batch` (201): each session created, in the order they were asked for. */
export const SessionsStartedSchema = z.looseObject({ sessions: z.array(SessionStartedSchema) });

/** `GET /v1/sessions`: a page, newest first, and the cursor of the next page (null at the end). */
export const SessionPageSchema = z.looseObject({ sessions: z.array(SessionViewSchema), next_cursor: z.string().nullable() });

/** `POST /v1/sessions/:id/stop` (an empty body is `{}`): `cascade: false` stops the session alone, not its descendants. */
export const StopSessionSchema = z.strictObject({
  cascade: z.boolean().optional().describe('Also stop every descendant session with a run in flight (default true).'),
});
export type StopSession = z.input<typeof StopSessionSchema>;

/** A descendant a cascading stop reached: its run cancelled at once (queued) or asked of its runner (`stop_requested`). */
export const StoppedDescendantSchema = z.looseObject({ session_id: z.string(), run_id: z.string(), run_status: RunStatusSchema, stop_requested: z.boolean() });

/**
 * `POST /v1/sessions/:id/stop`: the session and the run it stopped (200; 202 while its runner stops it), the
 * descendants stopped with it, and whether more are left (over MAX_STOP_DESCENDANTS: stop again for the next ones).
 */
export const SessionStoppedSchema = z.looseObject({
  session_id: z.string(),
  status: SessionStatusSchema,
  run: RunViewSchema,
  descendants: z.array(StoppedDescendantSchema),
  more_descendants: z.boolean(),
});
export type SessionStopped = z.infer<typeof SessionStoppedSchema>;

/** `POST /v1/sessions/:id/retry` (an empty body is `{}`; nothing to give yet): start the ended session again as a new one. */
export const RetrySessionSchema = z.strictObject({});

/** `POST /v1/sessions/:id/retry` (201): the new session, its run, and the session it retries. */
export const SessionRetriedSchema = SessionStartedSchema.extend({ retry_of: z.string() });
export type SessionRetried = z.infer<typeof SessionRetriedSchema>;

/** `GET /v1/sessions/:id/result`. */
export const SessionOutcomeSchema = z.looseObject({ session_id: z.string(), status: SessionStatusSchema, result: z.unknown(), usage: z.unknown() });

/** `GET /v1/sessions/:id/runs` and `GET /v1/runs?session_id=`. */
export const RunListSchema = z.looseObject({ runs: z.array(RunViewSchema) });

/** A callback-mode outcome waiting for (or delivered to) a session. */
export const CallbackViewSchema = z.looseObject({
  child_session_id: z.string(),
  child_run_id: z.string(),
  status: RunStatusSchema,
  result: z.unknown(),
  error: z.string().nullable(),
  created_at: isoTime,
  delivered_run_id: z.string().nullable(),
  delivered_at: isoTime.nullable(),
});

/** `GET /v1/sessions/:id/callbacks`, and how many callback-mode runs in flight will still resume the session. */
export const CallbackListSchema = z.looseObject({ callbacks: z.array(CallbackViewSchema), waiting_on_runs: z.int().min(0) });

/** `DELETE /v1/sessions/:id`: the session deleted and how many sessions went with it (it and its descendants). */
export const SessionDeletedSchema = z.looseObject({ session_id: z.string(), deleted: z.int().min(1) });

/**
 * `POST /v1/sessions/prune`: delete the sessions that ended at least `older_than_s` seconds ago (in one of
 * `status`, default any ended one), with their runs and events. A session whose descendants are not all
 * pruned with it stays, so nothing live is deleted and no session is left without its parent.
 */
export const PruneSessionsSchema = z.strictObject({
  older_than_s: z
    .int({ message: 'older_than_s must be a whole number of seconds' })
    .min(0, { message: 'older_than_s must be 0 or more' })
    .max(MAX_AGE_S, { message: `older_than_s must be at most ${MAX_AGE_S} (100 years)` }),
  status: z
    .array(z.enum(ENDED_SESSION_STATUSES, { message: `prune deletes only ended sessions: status must be one of ${ENDED_SESSION_STATUSES.join(', ')}` }))
    .min(1, { message: 'status must name at least one status (leave it out for every ended one)' })
    .max(ENDED_SESSION_STATUSES.length, { message: `status has at most ${ENDED_SESSION_STATUSES.length} entries` })
    .optional(),
});
export type PruneSessions = z.input<typeof PruneSessionsSchema>;

/** `POST /v1/sessions/prune`: how many sessions were deleted, and whether more are left (over MAX_PRUNE_SESSIONS: prune again). */
export const SessionsPrunedSchema = z.looseObject({ deleted: z.int().min(0), more: z.boolean() });
