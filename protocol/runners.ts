/** `/v1/runners`: registering a runner, its heartbeats and its long-poll for runs, and the runner list. */
import { z } from 'zod';
import { AssignedSkillSchema } from './skills.js';
import { id, isoTime, tags } from './fields.js';
import { SessionViewSchema, RunViewSchema } from './sessions.js';
import { BudgetLeftSchema } from './budget-left.js';
import { RunnerProfileSchema, RunnerProfilesSchema } from './credential-profiles.js';
import { RunReportResultSchema, RunReportsSchema } from './run-reports.js';
import './zod-config.js';

/** The most session trees one long-poll may be limited to. */
export const MAX_POLL_ROOTS = 64;

export const RegisterRunnerSchema = z.strictObject({
  name: id('name').max(200).optional(),
  hostname: z.string().max(255).optional(),
  executors: z.array(id('executor')).max(256),
  tags: tags.optional(),
  capacity: z.int().min(1).max(10_000).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  /** Its credential profiles' summaries (names, weights, models, executors; never a secret value). */
  credential_profiles: RunnerProfilesSchema.optional(),
  /** The executor it runs a run that names none with (whose profiles such a run gets). */
  default_executor: id('default_executor').max(200).optional(),
});
export type RegisterRunner = z.input<typeof RegisterRunnerSchema>;

/** `POST /v1/runners` (201): who the runner is, its token, and the timings it must keep. */
export const RegistrationSchema = z.looseObject({
  runner_id: z.string(),
  token: z.string(),
  heartbeat_interval_ms: z.number(),
  lease_ms: z.number(),
  poll_timeout_ms: z.number(),
  /**
   * The coordinator renews the lease of a runner whose long-poll it holds, while the runner holds no run:
   * such a runner need not heartbeat (absent from coordinators before this: heartbeat always).
   */
  poll_keeps_lease: z.boolean().optional(),
  /**
   * The long-poll takes the runner's reports (`reports`) and answers with their results: a runner may
   * send what it has to report with its next poll instead of a request of its own (absent from
   * coordinators before this: reports go to /reports only).
   */
  poll_carries_reports: z.boolean().optional(),
});
export type Registration = z.infer<typeof RegistrationSchema>;

export const HeartbeatSchema = z.strictObject({ running: z.array(id('run id')).max(10_000).optional() });

/** The heartbeat's answer: runs to stop now (stop requests, and runs the runner no longer holds). */
export const HeartbeatReplySchema = z.looseObject({ stop: z.array(z.string()), lease_ms: z.number(), heartbeat_interval_ms: z.number() });

export const PollSchema = z.strictObject({
  timeout_ms: z.int().min(0).max(300_000).optional(),
  /** Claim up to this many runs in one answer (a runner with several free slots). */
  max: z.int().min(1, { message: 'max must be 1 or more' }).max(64, { message: 'max must be at most 64' }).optional(),
  /**
   * Names this poll; a retry of a poll whose answer was lost sends the same id and gets the runs that
   * poll claimed (still claimed by this runner) instead of new ones.
   */
  request_id: id('request_id').max(200).optional(),
  /**
   * Claim only runs of these sessions and their descendants (the tree of one client command, e.g. the
   * in-process runner of `agent-runner run`); absent: any run this runner can serve.
   */
  roots: z.array(id('roots[]')).min(1, { message: 'roots must name at least one session' }).max(MAX_POLL_ROOTS).optional(),
  /**
   * Reports on the runner's runs (as `POST /v1/runners/:id/reports` takes them), applied when the poll
   * arrives, before it claims or waits; their results come with the answer (`report_results`).
   */
  reports: RunReportsSchema.shape.reports.optional(),
});

/** A claimed run with what the runner needs to build its Schema 2.0 invocation. */
export const AssignmentSchema = z.looseObject({
  run: RunViewSchema,
  session: SessionViewSchema.nullable(),
  invocation: z.looseObject({
    /** A runner is only ever given `start` and `resume` runs (a workflow's root run is the coordinator's). */
    mode: z.enum(['start', 'resume']),
    session_id: z.string(),
    prompt: z.string(),
    project_dir: z.string().nullable(),
    agent: z.string().nullable(),
    /** Version (ETag) of the agent blueprint; the runner's cached copy is valid while it matches. */
    agent_etag: z.string().nullable(),
    /** The session's Agent Skills and the version (digest) of each the run needs; absent when it has none. */
    skills: z.array(AssignedSkillSchema).optional(),
    executor: z.string().nullable(),
    tags: z.array(z.string()),
    timeout_s: z.number().nullable(),
    /** The model chosen for this run at its claim (the invocation's `agent_blueprint.model`); absent from coordinators before routing. */
    model: z.string().nullable().optional(),
    /** The chosen model then its fallbacks (the invocation's `agent_blueprint.models`). */
    models: z.array(z.string()).optional(),
    metadata: z.looseObject({
      run_id: z.string(),
      runner_id: z.string(),
      attempt: z.number(),
      executor_session_id: z.string().nullable(),
      /** W3C traceparent of the run's span (absent from coordinators before traces; null: the session has no trace context). */
      traceparent: z.string().nullable().optional(),
      /** What the session's tree has left when the run was claimed; absent when no budget applies. */
      budget: BudgetLeftSchema.optional(),
      /** A workflow task's structured inputs (its job's `with`, the seed form's `params`). */
      inputs: z.unknown().optional(),
      /** Where a workflow task is: workflow run, name, job, task, attempt, matrix values. */
      workflow: z.record(z.string(), z.unknown()).optional(),
    }),
  }),
});
export type Assignment = z.infer<typeof AssignmentSchema>;

/**
 * The long-poll's answer: the runs claimed for this runner (up to the `max` asked for) and runs of it
 * to cancel now. (`run`, `session` and `invocation` repeat the first of `runs`, for older clients.)
 */
export const PollAnswerSchema = z.looseObject({
  runs: z.array(AssignmentSchema),
  stop: z.array(z.string()),
  /** One result per report the poll carried, as `/reports` answers them (absent: it carried none). */
  report_results: z.array(RunReportResultSchema).optional(),
  /**
   * Other runners' polls wait here: this runner may hold its next poll back this long for the runs it
   * was just given to end, and send their reports with it (one request per run instead of two). New
   * runs go to the waiting polls meanwhile. Absent or 0: poll again at once.
   */
  next_poll_hold_ms: z.int().min(0).max(60_000).optional(),
});
export type PollAnswer = z.infer<typeof PollAnswerSchema>;

export const RUNNER_HEALTHS = ['online', 'stale', 'offline'] as const;

/** A runner as `GET /v1/runners` shows it, with its health now. */
export const RunnerViewSchema = z.looseObject({
  runner_id: z.string(),
  name: z.string(),
  hostname: z.string().nullable(),
  executors: z.array(z.string()),
  tags: z.array(z.string()),
  capacity: z.number(),
  /** Runs it holds now (claimed or running): the slots of its `capacity` in use. */
  slots_used: z.int().min(0),
  metadata: z.unknown(),
  status: z.enum(RUNNER_HEALTHS),
  registered_at: isoTime,
  last_seen_at: isoTime,
  deregistered_at: isoTime.nullable(),
  /** Its credential profiles (summaries; absent from coordinators before issue 18). */
  credential_profiles: z.array(RunnerProfileSchema).optional(),
});

export type RunnerView = z.infer<typeof RunnerViewSchema>;

export const RunnerListSchema = z.looseObject({ runners: z.array(RunnerViewSchema) });
