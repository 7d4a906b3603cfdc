import type { UsageTotals } from '../../protocol/tree.js';
import type { BudgetHolder } from '../budget/budget-rules.js';
import type { CallbackRecord, EventRecord, QuestionRecord, RunRecord, RunnerRecord, SessionRecord } from '../types.js';

type Row = Record<string, unknown>;

const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const json = (v: unknown): unknown => (v === null || v === undefined ? null : JSON.parse(String(v)));
const strings = (v: unknown): string[] => (json(v) as string[] | null) ?? [];

/** The usage counters stored as columns, `prefix` `''` (the session's own) or `'tree_'` (its subtree's). */
const totals = (row: Row, prefix: '' | 'tree_'): UsageTotals => ({
  input_tokens: num(row[`${prefix}input_tokens`] ?? 0),
  output_tokens: num(row[`${prefix}output_tokens`] ?? 0),
  cache_read_input_tokens: num(row[`${prefix}cache_read_input_tokens`] ?? 0),
  cache_creation_input_tokens: num(row[`${prefix}cache_creation_input_tokens`] ?? 0),
  cost_usd: num(row[`${prefix}cost_usd`] ?? 0),
});

/** What of `sessions` toBudgetHolder reads (a budget check reads no events). */
export const BUDGET_HOLDER_COLUMNS =
  'id, depth, descendants, created_at, budget, stop_reason, tree_input_tokens, tree_output_tokens, tree_cache_read_input_tokens, tree_cache_creation_input_tokens, tree_cost_usd';

/** A session row (at least BUDGET_HOLDER_COLUMNS) with a budget, as the budget rules read it. */
export function toBudgetHolder(row: Row): BudgetHolder {
  return {
    id: String(row.id),
    depth: num(row.depth),
    descendants: num(row.descendants),
    created_at: num(row.created_at),
    budget: json(row.budget) as BudgetHolder['budget'],
    stop_reason: json(row.stop_reason) as BudgetHolder['stop_reason'],
    tree_totals: totals(row, 'tree_'),
  };
}

const LAST_EVENT_SEQ = '(SELECT COALESCE(MAX(events.seq), 0) FROM events WHERE events.session_id = sessions.id) AS event_seq';

/** What to select of `sessions` for toSession: the row and its last event seq, which the row does not keep (see event-seqs.ts). */
export const SESSION_COLUMNS = `sessions.*, ${LAST_EVENT_SEQ}`;

/** SESSION_COLUMNS for a `RETURNING` list (SQLite allows no `table.*` there). */
export const SESSION_RETURNING = `*, ${LAST_EVENT_SEQ}`;

/** Map a `sessions` row selected with SESSION_COLUMNS to its record (PostgreSQL BIGINTs arrive as strings; JSON columns as text). */
export function toSession(row: Row): SessionRecord {
  return {
    id: String(row.id),
    agent: strOrNull(row.agent),
    executor: strOrNull(row.executor),
    tags: strings(row.tags),
    project_dir: strOrNull(row.project_dir),
    parent_session_id: strOrNull(row.parent_session_id),
    priority: num(row.priority),
    timeout_s: numOrNull(row.timeout_s),
    prompt: String(row.prompt),
    status: row.status as SessionRecord['status'],
    // Written by this store from validated reports (a result event, report_result) and usage events.
    result: json(row.result) as SessionRecord['result'],
    usage: json(row.usage) as SessionRecord['usage'],
    executor_session_id: strOrNull(row.executor_session_id),
    runner_id: strOrNull(row.runner_id),
    last_run_id: String(row.last_run_id),
    event_seq: num(row.event_seq),
    root_session_id: strOrNull(row.root_session_id) ?? String(row.id),
    depth: num(row.depth ?? 0),
    ancestors: strings(row.ancestors),
    children: num(row.children ?? 0),
    descendants: num(row.descendants ?? 0),
    totals: totals(row, ''),
    tree_totals: totals(row, 'tree_'),
    budget: json(row.budget) as SessionRecord['budget'],
    stop_reason: json(row.stop_reason) as SessionRecord['stop_reason'],
    traceparent: strOrNull(row.traceparent),
    parked_until: numOrNull(row.parked_until),
    park_profile: strOrNull(row.park_profile),
    park_reason: strOrNull(row.park_reason),
    open_questions: num(row.open_questions ?? 0),
    workflow_run_id: strOrNull(row.workflow_run_id),
    metadata: json(row.metadata) as SessionRecord['metadata'],
    skills: (json(row.skills) as string[] | null) ?? [],
    kind: strOrNull(row.kind),
    created_at: num(row.created_at),
    updated_at: num(row.updated_at),
    ended_at: numOrNull(row.ended_at),
  };
}

/** Map a `runs` row to its record. */
export function toRun(row: Row): RunRecord {
  return {
    id: String(row.id),
    session_id: String(row.session_id),
    mode: row.mode as RunRecord['mode'],
    prompt: String(row.prompt),
    status: row.status as RunRecord['status'],
    priority: num(row.priority),
    executor: strOrNull(row.executor),
    tags: strings(row.tags),
    timeout_s: numOrNull(row.timeout_s),
    attempt: num(row.attempt),
    max_attempts: num(row.max_attempts),
    runner_id: strOrNull(row.runner_id),
    executor_session_id: strOrNull(row.executor_session_id),
    stop_requested: num(row.stop_requested) !== 0,
    event_seq: num(row.event_seq),
    outcome: json(row.outcome) as RunRecord['outcome'],
    error: strOrNull(row.error),
    available_at: num(row.available_at),
    created_at: num(row.created_at),
    queued_at: num(row.queued_at),
    claimed_at: numOrNull(row.claimed_at),
    started_at: numOrNull(row.started_at),
    finished_at: numOrNull(row.finished_at),
    callback_session_id: strOrNull(row.callback_session_id),
    excluded_runners: strings(row.excluded_runners),
    usage: json(row.usage) as RunRecord['usage'],
    workflow_run_id: strOrNull(row.workflow_run_id),
    credential_profile: strOrNull(row.credential_profile),
    parked_until: numOrNull(row.parked_until),
    park_reason: strOrNull(row.park_reason),
    parks: num(row.parks ?? 0),
    continues_session: num(row.continues_session ?? 0) !== 0,
    model: strOrNull(row.model),
    models: strings(row.models),
  };
}

/** Map a `callbacks` row to its record. */
export function toCallback(row: Row): CallbackRecord {
  return {
    seq: num(row.seq),
    session_id: String(row.session_id),
    child_session_id: String(row.child_session_id),
    child_run_id: String(row.child_run_id),
    status: row.status as CallbackRecord['status'],
    result: json(row.result),
    error: strOrNull(row.error),
    created_at: num(row.created_at),
    delivered_run_id: strOrNull(row.delivered_run_id),
    delivered_at: numOrNull(row.delivered_at),
  };
}

/** Map a `runners` row to its record (the token hash stays in the store). */
export function toRunner(row: Row): RunnerRecord {
  return {
    id: String(row.id),
    name: String(row.name),
    hostname: strOrNull(row.hostname),
    executors: strings(row.executors),
    tags: strings(row.tags),
    capacity: num(row.capacity),
    metadata: json(row.metadata),
    registered_at: num(row.registered_at),
    last_seen_at: num(row.last_seen_at),
    deregistered_at: numOrNull(row.deregistered_at),
    credential_profiles: (json(row.credential_profiles) as RunnerRecord['credential_profiles'] | null) ?? [],
    default_executor: strOrNull(row.default_executor),
  };
}

/** Map an `events` row to its record. */
export function toEvent(row: Row): EventRecord {
  return {
    session_id: String(row.session_id),
    seq: num(row.seq),
    run_id: String(row.run_id),
    run_seq: num(row.run_seq),
    type: String(row.type),
    data: JSON.parse(String(row.data)) as Record<string, unknown>,
    created_at: num(row.created_at),
  };
}

/** Map a `questions` row to its record. */
export function toQuestion(row: Row): QuestionRecord {
  return {
    id: String(row.id),
    session_id: String(row.session_id),
    run_id: String(row.run_id),
    root_session_id: String(row.root_session_id),
    kind: row.kind as QuestionRecord['kind'],
    question: String(row.question),
    options: json(row.options) as string[] | null,
    details: strOrNull(row.details),
    urgency: row.urgency as QuestionRecord['urgency'],
    subject: json(row.subject) as QuestionRecord['subject'],
    wait: num(row.wait) === 1,
    timeout_s: numOrNull(row.timeout_s),
    timeout_at: numOrNull(row.timeout_at),
    on_timeout: strOrNull(row.on_timeout) as QuestionRecord['on_timeout'],
    status: row.status as QuestionRecord['status'],
    answer: json(row.answer) as QuestionRecord['answer'],
    answered_by: strOrNull(row.answered_by),
    answered_at: numOrNull(row.answered_at),
    resume: num(row.resume) === 1,
    resume_run_id: strOrNull(row.resume_run_id),
    created_at: num(row.created_at),
  };
}
