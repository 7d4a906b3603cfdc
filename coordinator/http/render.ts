import type { z } from 'zod';
import type { SessionEventSchema } from '../../protocol/events.js';
import type { RunnerViewSchema } from '../../protocol/runners.js';
import type { CallbackViewSchema, RunViewSchema, SessionViewSchema } from '../../protocol/sessions.js';
import { parseTraceparent } from '../../protocol/trace-context.js';
import { describeRateLimitWait } from '../../protocol/credential-profiles.js';
import type { RunnerHealth } from '../rules/runner-health.js';
import type { CallbackRecord, EventRecord, QuestionRecord, RunRecord, RunnerRecord, SessionRecord } from '../types.js';
import type { QuestionViewSchema } from '../../protocol/questions.js';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const isoNow = (ms: number): string => new Date(ms).toISOString();

/** A session as the API shows it (typed by the reply schema the clients parse, so the two cannot drift). */
export function renderSession(s: SessionRecord): z.input<typeof SessionViewSchema> {
  return {
    session_id: s.id, status: s.status, agent: s.agent, executor: s.executor, tags: s.tags, project_dir: s.project_dir,
    parent_session_id: s.parent_session_id, priority: s.priority, timeout_s: s.timeout_s, prompt: s.prompt,
    result: s.result, usage: s.usage, executor_session_id: s.executor_session_id, runner_id: s.runner_id,
    last_run_id: s.last_run_id, last_event_seq: s.event_seq,
    root_session_id: s.root_session_id, depth: s.depth, children_count: s.children, descendants_count: s.descendants,
    totals: s.totals, tree_totals: s.tree_totals, budget: s.budget, stop_reason: s.stop_reason,
    trace_id: parseTraceparent(s.traceparent)?.traceId ?? null,
    open_questions: s.open_questions, waiting_for_input: s.open_questions > 0, workflow_run_id: s.workflow_run_id,
    rate_limit_wait: rateLimitWait(s, Date.now()),
    skills: s.skills,
    kind: s.kind,
    created_at: isoNow(s.created_at), updated_at: isoNow(s.updated_at), ended_at: iso(s.ended_at),
  };
}

/** A run as the API shows it. */
export function renderRun(r: RunRecord): z.input<typeof RunViewSchema> {
  return {
    run_id: r.id, session_id: r.session_id, mode: r.mode, status: r.status, prompt: r.prompt, priority: r.priority,
    executor: r.executor, tags: r.tags, timeout_s: r.timeout_s, attempt: r.attempt, max_attempts: r.max_attempts,
    runner_id: r.runner_id, executor_session_id: r.executor_session_id, stop_requested: r.stop_requested,
    last_event_seq: r.event_seq, outcome: r.outcome, error: r.error,
    created_at: isoNow(r.created_at), queued_at: isoNow(r.queued_at), available_at: isoNow(r.available_at),
    claimed_at: iso(r.claimed_at), started_at: iso(r.started_at), finished_at: iso(r.finished_at),
    callback_session_id: r.callback_session_id, excluded_runners: r.excluded_runners, usage: r.usage,
    credential_profile: r.credential_profile, parked_until: iso(r.parked_until), park_reason: r.park_reason, parks: r.parks,
    model: r.model, models: r.models,
  };
}

/** A session's wait for a rate limit, while its latest run is parked (null otherwise). */
function rateLimitWait(s: SessionRecord, now: number): z.input<typeof SessionViewSchema>['rate_limit_wait'] {
  const message = describeRateLimitWait(s, now);
  if (message === null) return null;
  return { until: isoNow(s.parked_until!), profile: s.park_profile, reason: s.park_reason ?? '', message };
}

/** A callback-mode outcome waiting for (or delivered to) a session. */
export function renderCallback(c: CallbackRecord): z.input<typeof CallbackViewSchema> {
  return {
    child_session_id: c.child_session_id, child_run_id: c.child_run_id, status: c.status, result: c.result, error: c.error,
    created_at: isoNow(c.created_at), delivered_run_id: c.delivered_run_id, delivered_at: iso(c.delivered_at),
  };
}

/** A runner as the API shows it, with its health now and the runs it holds (`slotsUsed`). */
export function renderRunner(r: RunnerRecord, health: RunnerHealth, slotsUsed: number): z.input<typeof RunnerViewSchema> {
  return {
    runner_id: r.id, name: r.name, hostname: r.hostname, executors: r.executors, tags: r.tags, capacity: r.capacity,
    slots_used: slotsUsed, metadata: r.metadata, status: health, registered_at: isoNow(r.registered_at), last_seen_at: isoNow(r.last_seen_at),
    deregistered_at: iso(r.deregistered_at),
    credential_profiles: r.credential_profiles,
  };
}

/** An event as the API shows it: its per-session `seq`, the run and per-run `run_seq`, and the executor event. */
export function renderEvent(e: EventRecord): z.input<typeof SessionEventSchema> {
  return { seq: e.seq, session_id: e.session_id, run_id: e.run_id, run_seq: e.run_seq, type: e.type, event: { ...e.data, type: e.type }, created_at: isoNow(e.created_at) };
}

/** A question as the API shows it (with its session's agent, when known). */
export function renderQuestion(q: QuestionRecord, agent?: string | null): z.input<typeof QuestionViewSchema> {
  return {
    question_id: q.id, session_id: q.session_id, run_id: q.run_id, root_session_id: q.root_session_id, kind: q.kind, question: q.question,
    options: q.options, details: q.details, urgency: q.urgency, subject: q.subject, wait: q.wait, timeout_s: q.timeout_s, timeout_at: iso(q.timeout_at),
    on_timeout: q.on_timeout, status: q.status, answer: q.answer, answered_by: q.answered_by, answered_at: iso(q.answered_at),
    resume_run_id: q.resume_run_id, created_at: isoNow(q.created_at), ...(agent === undefined ? {} : { agent }),
  };
}
