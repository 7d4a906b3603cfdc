import { newId } from '../../ids.js';
import { type BudgetHolder, clampSubBudget, refuseChild } from '../../budget/budget-rules.js';
import type { Budget } from '../../../protocol/tree.js';
import { BatchItemError, BudgetExceededError, NotFoundError } from '../store-errors.js';
import { readBudgetHolders } from './read-budget-holders.js';
import type { RunRecord, SessionRecord } from '../../types.js';
import { appendRunStatusEvents } from './append-run-status-event.js';
import { noEventsYet } from './event-seqs.js';
import { SESSION_COLUMNS, toRun, toSession } from '../rows.js';
import { sessionTraceparent } from '../../../lib/trace/trace-ids.js';
import type { SqlClient } from '../sql-client.js';

/** A session to create, already resolved against its agent (executor, tags and timeout filled in). */
export interface NewSession
  extends Pick<SessionRecord, 'agent' | 'executor' | 'tags' | 'project_dir' | 'parent_session_id' | 'priority' | 'timeout_s' | 'prompt'> {
  max_attempts: number;
  /** Resume this session with the outcome when the session's run ends (callback mode). */
  callback_session_id?: string | null | undefined;
  /** A root's W3C trace context to continue (validated); a child's trace is its parent's (protocol/trace-context.ts). */
  traceparent?: string | null | undefined;
  /** Limits on the new session's subtree; under a parent, refused when larger than what the tree has left. */
  budget?: Budget | null | undefined;
  /** The budget is a default (the agent's): cut to what the tree has left instead of refused. */
  budget_is_default?: boolean | undefined;
  /** Invocation metadata its runs carry (a workflow task's `inputs` and `workflow`). */
  metadata?: Record<string, unknown> | null | undefined;
  /** The workflow run it is a task of: its runs' ends advance that workflow. */
  workflow_run_id?: string | null | undefined;
  /** Its Agent Skills (default none). */
  skills?: readonly string[] | undefined;
  /** The task kind it was started with (routing rules match on it). */
  kind?: string | null | undefined;
  /** When its first run may be claimed (a workflow task's retry waits out its backoff); default now. */
  available_at?: number | undefined;
}

/** Where a new session goes in its tree: under its parent (read under the parent row's lock), or a root. */
export interface TreePlace {
  root_session_id: string;
  depth: number;
  /** Root first, parent last. */
  ancestors: string[];
  /** The parent's row, as this transaction locked it (null for a root). */
  parent: SessionRecord | null;
  /** The budgets on the parent and its ancestors, deepest first, their rows locked (PostgreSQL). */
  holders: BudgetHolder[];
}

/**
 * Read a new child's parent and lock its row (PostgreSQL), so the parent's counts cannot change before the
 * child is counted in them. @throws NotFoundError when the parent does not exist.
 */
async function placeInTree(tx: SqlClient, sessionId: string, parentId: string | null): Promise<TreePlace> {
  if (parentId === null) return { root_session_id: sessionId, depth: 0, ancestors: [], parent: null, holders: [] };
  const [row] = await tx.query(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = ?${tx.forUpdate()}`, [parentId]);
  if (row === undefined) throw new NotFoundError('session', parentId);
  const parent = toSession(row);
  // The ancestors' budgets, locked so that two children created at once in one budget's subtree are counted one after the other.
  const above = await readBudgetHolders(tx, parent.ancestors, true);
  const holders = parent.budget === null ? above : [{ ...parent, budget: parent.budget }, ...above];
  return { root_session_id: parent.root_session_id, depth: parent.depth + 1, ancestors: [...parent.ancestors, parent.id], parent, holders };
}

/**
 * The new session's budget, after its tree's budgets agreed to the child: a child past a shape limit, in a
 * tree with nothing left, or with a sub-budget larger than what is left is refused (BudgetExceededError);
 * a default (the agent's) budget is cut to what is left instead.
 */
function admitInTree(place: TreePlace, input: NewSession, now: number): Budget | null {
  const budget = input.budget ?? null;
  if (place.parent === null) return budget;
  const asked = input.budget_is_default === true ? null : budget;
  const refusal = refuseChild(place.parent, place.holders, asked, now);
  if (refusal !== null) {
    throw new BudgetExceededError(refusal.message, { limit: refusal.limit, limit_value: refusal.limit_value, used: refusal.used, budget_session_id: refusal.session_id });
  }
  return budget !== null && input.budget_is_default === true ? clampSubBudget(budget, place.depth, place.holders, now) : budget;
}

/**
 * Count a new session in its ancestors: the parent's children, and every ancestor's descendants. Rows are
 * written one by one from the parent up to the root, the order every writer of a session and its ancestors
 * follows (its own row first, then upwards), so two writers of one tree never wait for each other in a circle.
 */
async function countInAncestors(tx: SqlClient, place: TreePlace, now: number): Promise<void> {
  for (let i = place.ancestors.length - 1; i >= 0; i--) {
    const isParent = i === place.ancestors.length - 1;
    await tx.query(
      `UPDATE sessions SET descendants = descendants + 1${isParent ? ', children = children + 1' : ''}, updated_at = ? WHERE id = ?`,
      [now, place.ancestors[i]],
    );
  }
}

/** Create a session and its queued `start` run, in one transaction. */
export async function createSession(
  sql: SqlClient,
  input: NewSession,
  now: number,
): Promise<{ session: SessionRecord; run: RunRecord }> {
  const sessionId = newId('ses');
  const runId = newId('run');
  const tags = JSON.stringify(input.tags);
  return sql.transaction(async (tx) => {
    const place = await placeInTree(tx, sessionId, input.parent_session_id);
    const budget = admitInTree(place, input, now);
    const [sessionRow] = await insertSessionRows(tx, [sessionValues(input, sessionId, runId, place, budget, now)]);
    await countInAncestors(tx, place, now);
    if (place.parent !== null) tx.announce({ kind: 'tree', root_session_id: place.root_session_id });
    noEventsYet(tx, sessionId);
    const run = await insertRun(tx, startRunOf(input, sessionId, runId, tags), now);
    // Seen before its first event (the run's `queued`), so a follower from this view misses none.
    return { session: toSession({ ...sessionRow!, event_seq: 0 }), run };
  });
}

/**
 * Create sessions in one transaction (`POST /v1/sessions/batch`), in order: all of them, or none when one
 * is refused (its parent's budget, a parent gone meanwhile): then a BatchItemError names it, with the refusal as `cause`. One COMMIT for the lot, and the runners'
 * waiting polls are woken once.
 */
export function createSessions(
  sql: SqlClient,
  inputs: readonly NewSession[],
  now: number,
): Promise<{ session: SessionRecord; run: RunRecord }[]> {
  return sql.transaction(async (tx) => {
    if (inputs.every((input) => input.parent_session_id === null)) return createRoots(tx, inputs, now);
    const created: { session: SessionRecord; run: RunRecord }[] = [];
    for (const [index, input] of inputs.entries()) {
      try {
        created.push(await createSession(tx, input, now));
      } catch (error) {
        // A refusal names its item; anything else (a deadlock to try again, a lost connection) goes on as it is.
        throw error instanceof BudgetExceededError || error instanceof NotFoundError ? new BatchItemError(index, error) : error;
      }
    }
    return created;
  });
}

/** Rows one multi-row INSERT of createRoots writes at most (22 parameters a session, 15 a run: well under both databases' limits). */
export const CREATE_ROWS_PER_INSERT = 256;

/**
 * How createRoots splits `n` rows into INSERTs: CREATE_ROWS_PER_INSERT while that many are left, then
 * powers of two (137 → 128, 8, 1), so the statement texts are few (nine sizes) and stay in the statement
 * caches (SQLite's prepared statements, PostgreSQL's named ones) whatever sizes batches come in. Pure.
 */
export function insertChunks(n: number): number[] {
  const sizes: number[] = [];
  for (let left = n; left > 0; ) {
    const size = left >= CREATE_ROWS_PER_INSERT ? CREATE_ROWS_PER_INSERT : 2 ** Math.floor(Math.log2(left));
    sizes.push(size);
    left -= size;
  }
  return sizes;
}

/**
 * Root sessions (no parent: nothing to lock, count or refuse) created as createSession creates each, but
 * with one INSERT of sessions and one of runs per chunk (insertChunks), and their `queued` events stored
 * together: on PostgreSQL a batch of 1,000 is about a dozen round trips instead of two thousand.
 */
async function createRoots(tx: SqlClient, inputs: readonly NewSession[], now: number): Promise<{ session: SessionRecord; run: RunRecord }[]> {
  const created: { session: SessionRecord; run: RunRecord }[] = [];
  let first = 0;
  for (const size of insertChunks(inputs.length)) {
    const chunk = inputs.slice(first, (first += size)).map((input) => ({ input, sessionId: newId('ses'), runId: newId('run') }));
    const sessionRows = await insertSessionRows(
      tx,
      chunk.map(({ input, sessionId, runId }) => sessionValues(input, sessionId, runId, rootPlace(sessionId), input.budget ?? null, now)),
    );
    for (const { sessionId } of chunk) noEventsYet(tx, sessionId);
    const runs = await insertRuns(tx, chunk.map(({ input, sessionId, runId }) => startRunOf(input, sessionId, runId, JSON.stringify(input.tags))), now);
    // RETURNING gives no promise of order: rows are matched to their items by id.
    const sessionById = new Map(sessionRows.map((row) => [String(row.id), row]));
    for (const [i, { sessionId }] of chunk.entries()) created.push({ session: toSession({ ...sessionById.get(sessionId)!, event_seq: 0 }), run: runs[i]! });
  }
  return created;
}

const rootPlace = (sessionId: string): TreePlace => ({ root_session_id: sessionId, depth: 0, ancestors: [], parent: null, holders: [] });

const SESSION_INSERT = `INSERT INTO sessions (id, agent, executor, tags, project_dir, parent_session_id, priority, timeout_s, prompt,
  status, last_run_id, created_at, updated_at, root_session_id, depth, ancestors, traceparent, budget, metadata, workflow_run_id, skills, kind) VALUES `;
const SESSION_VALUES = "(?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

/** A new session's row for SESSION_INSERT, in its column order. */
function sessionValues(input: NewSession, sessionId: string, runId: string, place: TreePlace, budget: Budget | null, now: number): unknown[] {
  return [sessionId, input.agent, input.executor, JSON.stringify(input.tags), input.project_dir, input.parent_session_id, input.priority,
    input.timeout_s, input.prompt, runId, now, now, place.root_session_id, place.depth, JSON.stringify(place.ancestors),
    sessionTraceparent(place.parent, input.traceparent), budget === null ? null : JSON.stringify(budget),
    input.metadata === null || input.metadata === undefined ? null : JSON.stringify(input.metadata), input.workflow_run_id ?? null,
    input.skills === undefined || input.skills.length === 0 ? null : JSON.stringify(input.skills), input.kind ?? null];
}

/** Insert session rows (sessionValues) in one statement; the stored rows, in no promised order. */
function insertSessionRows(tx: SqlClient, rows: readonly unknown[][]): Promise<Record<string, unknown>[]> {
  return tx.query(`${SESSION_INSERT}${rows.map(() => SESSION_VALUES).join(', ')} RETURNING *`, rows.flat());
}

/** A new session's first run, a `start` run of its prompt. */
function startRunOf(input: NewSession, sessionId: string, runId: string, tags: string): NewRun {
  return {
    id: runId, session_id: sessionId, mode: 'start', prompt: input.prompt, priority: input.priority,
    executor: input.executor, tags, timeout_s: input.timeout_s, max_attempts: input.max_attempts,
    executor_session_id: null, callback_session_id: input.callback_session_id ?? null,
    workflow_run_id: input.workflow_run_id ?? null, available_at: input.available_at,
  };
}

/** A queued run to insert (insertRun). */
export type NewRun = Pick<RunRecord, 'id' | 'session_id' | 'mode' | 'prompt' | 'priority' | 'executor' | 'timeout_s' | 'max_attempts' | 'executor_session_id'> & {
  tags: string;
  callback_session_id?: string | null;
  /** The workflow run whose task the session is (resumes of the session carry it too). */
  workflow_run_id?: string | null;
  /** When it may be claimed (default now). */
  available_at?: number | undefined;
};

/** Insert a queued run (its status counter at 1: its `queued` event). */
export async function insertRun(tx: SqlClient, run: NewRun, now: number): Promise<RunRecord> {
  return (await insertRuns(tx, [run], now))[0]!;
}

const RUN_INSERT = `INSERT INTO runs (id, session_id, mode, prompt, status, priority, executor, tags, timeout_s, attempt, max_attempts,
  executor_session_id, available_at, created_at, queued_at, callback_session_id, status_seq, workflow_run_id) VALUES `;
const RUN_VALUES = "(?, ?, ?, ?, 'queued', ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, 1, ?)";

/** Insert queued runs in one statement, each with its `queued` event; the runs in the order given. */
async function insertRuns(tx: SqlClient, runs: readonly NewRun[], now: number): Promise<RunRecord[]> {
  const rows = await tx.query(
    `${RUN_INSERT}${runs.map(() => RUN_VALUES).join(', ')} RETURNING *`,
    runs.flatMap((run) => [run.id, run.session_id, run.mode, run.prompt, run.priority, run.executor, run.tags, run.timeout_s,
      run.max_attempts, run.executor_session_id, Math.max(now, run.available_at ?? now), now, now, run.callback_session_id ?? null,
      run.workflow_run_id ?? null]),
  );
  const byId = new Map(rows.map((row) => [String(row.id), toRun(row)]));
  const inserted = runs.map((run) => byId.get(run.id)!);
  await appendRunStatusEvents(tx, inserted.map((run) => ({ run, statusSeq: 1 })), now);
  return inserted;
}
