import type { RunnerProfile } from '../protocol/credential-profiles.js';
/**
 * The coordinator's records, as the store returns them.
 *
 * Glossary:
 * - **agent**: a named blueprint (system prompt, MCP servers, executor, tags, limits), stored as a JSON document.
 * - **session**: one conversation with an agent (`ses_…`); its status follows its latest run.
 * - **run**: one unit of work on a session (`run_…`): the `start` run, then one per `resume`. Queued,
 *   claimed by one runner, executed, finished with an outcome. Retried (same run, next attempt) only
 *   after infrastructure failures.
 * - **runner**: a process that claims runs (`rnr_…`), lists the executors it has and its tags, and heartbeats.
 * - **event**: something a run reported; `seq` is per session (what clients page and resume by),
 *   `run_seq` is the runner's per-run number (what makes a retried batch idempotent).
 * Times are milliseconds since the epoch.
 */
import type { RunOutcomeSummary, SessionResult } from '../protocol/sessions.js';
import type { RunMode, RunStatus, SessionStatus } from '../protocol/statuses.js';
import type { Budget, UsageTotals } from '../protocol/tree.js';
import type { ApprovalSubject, QuestionAnswer, QuestionKind, QuestionStatus } from '../protocol/questions.js';

export interface SessionRecord {
  id: string;
  agent: string | null;
  executor: string | null;
  tags: string[];
  project_dir: string | null;
  parent_session_id: string | null;
  priority: number;
  timeout_s: number | null;
  prompt: string;
  status: SessionStatus;
  result: SessionResult | null;
  usage: Record<string, unknown> | null;
  executor_session_id: string | null;
  runner_id: string | null;
  last_run_id: string;
  event_seq: number;
  /** Its tree: the root (itself for a root), how deep it is (a root is 0), and its ancestors, root first. */
  root_session_id: string;
  depth: number;
  ancestors: string[];
  /** Sessions directly under it, and in its whole subtree (itself not counted). */
  children: number;
  descendants: number;
  /** Its own usage summed over all its runs, and its subtree's (itself and every descendant). */
  totals: UsageTotals;
  tree_totals: UsageTotals;
  /** Limits on its subtree, given when it was created (null: only its ancestors' apply). */
  budget: Budget | null;
  /** Why its tree was stopped by the coordinator (a budget passed), or null. */
  stop_reason: Record<string, unknown> | null;
  /** The W3C trace context its runs' spans are children of. */
  traceparent: string | null;
  /** Its latest run's park for a rate limit: until when, on which profile, why (all null when not parked). */
  parked_until: number | null;
  park_profile: string | null;
  park_reason: string | null;
  /** Its questions still open (it is waiting for input while this is above 0). */
  open_questions: number;
  /** The workflow run it belongs to: as its root, or as one of its tasks' sessions (null: none). */
  workflow_run_id: string | null;
  /** Invocation metadata its runs carry besides the runner's own facts (a workflow task's `inputs` and `workflow`). */
  metadata: Record<string, unknown> | null;
  /** Its Agent Skills, fixed when it was created: its agent's, and its parent's unless the agent says `inherit_skills: false`. */
  skills: string[];
  /** The task kind it was started with (routing rules match on it), or null. */
  kind: string | null;
  created_at: number;
  updated_at: number;
  ended_at: number | null;
}

export interface RunRecord {
  id: string;
  session_id: string;
  mode: RunMode;
  prompt: string;
  status: RunStatus;
  priority: number;
  executor: string | null;
  tags: string[];
  timeout_s: number | null;
  attempt: number;
  max_attempts: number;
  runner_id: string | null;
  executor_session_id: string | null;
  stop_requested: boolean;
  event_seq: number;
  outcome: RunOutcomeSummary | null;
  error: string | null;
  available_at: number;
  created_at: number;
  queued_at: number;
  claimed_at: number | null;
  started_at: number | null;
  finished_at: number | null;
  /** The session to resume with this run's outcome when it ends (callback mode), or null. */
  callback_session_id: string | null;
  /** Runners whose executor failed this run with its own exit 75: no claim gives it to them again. */
  excluded_runners: string[];
  /** The latest usage the run reported (its totals so far), or null. */
  usage: Record<string, unknown> | null;
  /** The workflow run whose task this run's session is (its end advances the workflow), else null. */
  workflow_run_id: string | null;
  /** The credential profile (its name) its runner was told to use for it, or null (a runner without profiles). */
  credential_profile: string | null;
  /** Parked for a rate limit: queued until then (null: never parked, or its park was lifted by a claim). */
  parked_until: number | null;
  /** Why it was parked (the executor's rate_limited message), or null. */
  park_reason: string | null;
  /** How often it was parked (bounded by MAX_PARKS_PER_RUN). */
  parks: number;
  /** Its restart continues the executor session its parked attempt had bound (mode resume). */
  continues_session: boolean;
  /** The model chosen when it was last claimed, and that model then its fallbacks (empty before a claim). */
  model: string | null;
  models: string[];
}

/** A run's outcome waiting to be delivered to a session (callback mode). */
export interface CallbackRecord {
  seq: number;
  session_id: string;
  child_session_id: string;
  child_run_id: string;
  status: RunStatus;
  result: unknown;
  error: string | null;
  created_at: number;
  delivered_run_id: string | null;
  delivered_at: number | null;
}

/** A question or approval a session asked (migration 009). */
export interface QuestionRecord {
  id: string;
  session_id: string;
  /** The run that asked. */
  run_id: string;
  root_session_id: string;
  kind: QuestionKind;
  question: string;
  options: string[] | null;
  details: string | null;
  urgency: 'low' | 'normal' | 'high';
  subject: ApprovalSubject | null;
  wait: boolean;
  timeout_s: number | null;
  timeout_at: number | null;
  on_timeout: 'deny' | 'allow' | null;
  status: QuestionStatus;
  answer: QuestionAnswer | null;
  answered_by: string | null;
  answered_at: number | null;
  /** The answer is delivered by resuming the session (not to a waiting tool call). */
  resume: boolean;
  resume_run_id: string | null;
  created_at: number;
}

export interface RunnerRecord {
  id: string;
  name: string;
  hostname: string | null;
  executors: string[];
  tags: string[];
  capacity: number;
  metadata: unknown;
  registered_at: number;
  last_seen_at: number;
  deregistered_at: number | null;
  /** Its credential profiles' summaries (never a secret); empty: it has none. */
  credential_profiles: RunnerProfile[];
  /** The executor it runs a run that names none with (the profiles of a run without executor are this one's). */
  default_executor: string | null;
}

export interface EventRecord {
  session_id: string;
  seq: number;
  run_id: string;
  run_seq: number;
  type: string;
  data: Record<string, unknown>;
  created_at: number;
}
