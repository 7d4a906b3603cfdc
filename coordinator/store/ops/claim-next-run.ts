import { assertTransition } from '../../rules/run-transitions.js';
import type { AgentDocument } from '../../../protocol/agents.js';
import type { EventRecord, RunRecord, SessionRecord } from '../../types.js';
import { encodeChanges } from '../store-changes.js';
import type { RunStatusEvent } from './append-run-status-event.js';
import { SESSION_COLUMNS, toRun, toSession } from '../rows.js';
import type { SqlClient } from '../sql-client.js';
import { placeholders } from '../sql-client.js';
import { transitionRun } from './transition-run.js';
import type { RunnerProfile } from '../../../protocol/credential-profiles.js';

/** Who claims: a runner's executors and tags, and the session trees it is limited to (`roots`, if any). */
export type ClaimingRunner = {
  id: string;
  executors: readonly string[];
  tags: readonly string[];
  roots?: readonly string[] | undefined;
  /** Its credential profiles (a profile is chosen for each run it claims: claim-with-profiles.ts). */
  credential_profiles?: readonly RunnerProfile[] | undefined;
  default_executor?: string | null | undefined;
  /** Whether it takes runs that name no executor (false while every profile of its default executor is parked). */
  unnamed?: boolean | undefined;
};

const executorFilter = (runner: ClaimingRunner): string => {
  const unnamed = runner.unnamed !== false;
  if (runner.executors.length === 0) return unnamed ? 'executor IS NULL' : '1 = 0';
  const named = `executor IN (${placeholders(runner.executors.length)})`;
  return unnamed ? `(executor IS NULL OR ${named})` : named;
};

/** Leave out runs whose executor failed on this runner with exit 75 (their retries go elsewhere). */
const notExcluded = (dialect: 'sqlite' | 'postgres'): string =>
  dialect === 'postgres'
    ? ' AND NOT (excluded_runners::jsonb @> ?::jsonb)'
    : ' AND NOT EXISTS (SELECT 1 FROM json_each(runs.excluded_runners) WHERE json_each.value = ?)';

/**
 * SQLite: only runs every tag of which the runner has, matched in the statement as PostgreSQL's `<@` does,
 * so a claim reads the runs it takes and no others (and never misses one behind runs it cannot serve).
 */
const tagFilter = (runner: ClaimingRunner): string =>
  runner.tags.length === 0
    ? ' AND NOT EXISTS (SELECT 1 FROM json_each(runs.tags))'
    : ` AND NOT EXISTS (SELECT 1 FROM json_each(runs.tags) WHERE json_each.value NOT IN (${placeholders(runner.tags.length)}))`;

/** Limit a claim to runs of the `roots` sessions and their descendants (none: no limit). */
const treeFilter = (runner: ClaimingRunner): string =>
  runner.roots === undefined
    ? ''
    : ` AND session_id IN (WITH RECURSIVE tree(id) AS (SELECT id FROM sessions WHERE id IN (${placeholders(runner.roots.length)})
       UNION SELECT sessions.id FROM sessions JOIN tree ON sessions.parent_session_id = tree.id) SELECT id FROM tree)`;

/**
 * Claim the highest-priority, oldest queued run this runner can serve, atomically, so no run is ever
 * claimed twice, nor given to a runner it is excluded from (its executor failed the run with exit 75 there).
 * PostgreSQL: one `UPDATE … RETURNING` over a `FOR UPDATE SKIP LOCKED` pick of up to `max` runs (tags matched with jsonb `<@`), with their status events in the same statement: one round trip instead of the five of a
 * transaction (A/B on the shared 2-core box, bench/coordinator-claim: p50 7.5–8.1 ms → 6.0–7.3 ms).
 * SQLite: inside `BEGIN IMMEDIATE` (the database write lock), up to `max` runs the runner can serve in
 * priority order (executor, tags and exclusions matched by the statement), then the guarded transition.
 */
export async function claimNextRun(sql: SqlClient, runner: ClaimingRunner, now: number): Promise<RunRecord | null> {
  return (await claimRuns(sql, runner, now, 1))[0] ?? null;
}

/** Claim up to `max` runs, in the order claimNextRun would claim them one by one. */
export async function claimRuns(sql: SqlClient, runner: ClaimingRunner, now: number, max: number): Promise<RunRecord[]> {
  return (await claimAssignments(sql, runner, now, max)).map((claimed) => claimed.run);
}

/** A claimed run with what its runner is told about it: its session and its agent's blueprint (if any). */
export interface ClaimedRun {
  run: RunRecord;
  session: SessionRecord;
  agent: AgentDocument | null;
}

/** claimRuns, each run with its session and agent as they were when it was claimed (read by the claim itself). */
export async function claimAssignments(sql: SqlClient, runner: ClaimingRunner, now: number, max: number): Promise<ClaimedRun[]> {
  if (sql.dialect === 'sqlite') return claimOnSqlite(sql, runner, now, max);
  return claimOnPostgres(sql, runner, now, max);
}

/** Tries of the claim statement when its `claimed` event's seq was taken meanwhile (see event-seqs.ts). */
const CLAIM_STATEMENT_TRIES = 5;

async function claimOnPostgres(sql: SqlClient, runner: ClaimingRunner, now: number, max: number): Promise<ClaimedRun[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await claimStatement(sql, runner, now, max);
    } catch (error) {
      if (attempt >= CLAIM_STATEMENT_TRIES || !isDuplicateEventSeq(error)) throw error;
    }
  }
}

/** The claim's event took a seq another transaction stored first (it read the highest seq before that one committed). */
const isDuplicateEventSeq = (error: unknown): boolean =>
  (error as { code?: unknown }).code === '23505' && (error as { constraint?: unknown }).constraint === 'events_pkey';

async function claimStatement(sql: SqlClient, runner: ClaimingRunner, now: number, max: number): Promise<ClaimedRun[]> {
  // The conditional update below is the guarded queued → claimed transition; the state machine agrees.
  assertTransition('(next)', 'queued', 'claimed');
  const notify = sessionNotifySql(sql);
  // Up to `max` runs in one statement (one round trip for a poll's whole answer). The session rows are not
  // written (a claim changes nothing a session shows, see SessionUpdate), only locked as every writer of a
  // session's events locks it; each run_status event matches appendRunStatusEvent's, numbered after its
  // session's highest seq (in claim order when two runs of one session are claimed together).
  const rows = await sql.query(
    `WITH picked AS (
       SELECT id FROM runs
       WHERE status = 'queued' AND available_at <= ? AND ${executorFilter(runner)} AND tags::jsonb <@ ?::jsonb${notExcluded('postgres')}${treeFilter(runner)}
       ORDER BY priority DESC, seq ASC LIMIT ? FOR UPDATE SKIP LOCKED
     ), updated AS (
       UPDATE runs SET status = 'claimed', runner_id = ?, claimed_at = ?, stop_requested = 0, status_seq = runs.status_seq + 1
       FROM picked WHERE runs.id = picked.id AND runs.status = 'queued' RETURNING runs.*
     ), claimed AS (
       SELECT updated.*, row_number() OVER (PARTITION BY updated.session_id ORDER BY updated.seq) - 1 AS seq_offset FROM updated
     ), locked AS (
       SELECT sessions.*, (SELECT COALESCE(MAX(events.seq), 0) + 1 FROM events WHERE events.session_id = sessions.id) AS event_seq
       FROM sessions WHERE sessions.id IN (SELECT session_id FROM updated) FOR NO KEY UPDATE OF sessions
     ), status_event AS (
       INSERT INTO events (session_id, seq, run_id, run_seq, type, data, created_at)
       SELECT claimed.session_id, locked.event_seq + claimed.seq_offset, claimed.id, -claimed.status_seq, 'run_status',
         json_build_object('type', 'run_status', 'run_id', claimed.id, 'status', claimed.status,
           'attempt', claimed.attempt, 'runner_id', claimed.runner_id)::text, ?
       FROM claimed JOIN locked ON locked.id = claimed.session_id
     )
     SELECT claimed.*, locked.event_seq + claimed.seq_offset AS status_event_seq, row_to_json(locked)::text AS session_row, agents.doc AS agent_doc, ${notify.sql} AS notified
     FROM claimed JOIN locked ON locked.id = claimed.session_id LEFT JOIN agents ON agents.name = locked.agent
     ORDER BY claimed.priority DESC, claimed.seq ASC`,
    [now, ...runner.executors, JSON.stringify(runner.tags), JSON.stringify([runner.id]), ...(runner.roots ?? []), max, runner.id, now, now, ...notify.params],
  );
  return rows.map((row) => {
    const run = toRun(row);
    const event: RunStatusEvent = { type: 'run_status', run_id: run.id, status: run.status, attempt: run.attempt, runner_id: run.runner_id };
    const record: EventRecord = { session_id: run.session_id, seq: Number(row.status_event_seq), run_id: run.id, run_seq: -Number(row.status_seq), type: 'run_status', data: { ...event }, created_at: now };
    sql.announceLocally([{ kind: 'events', session_id: run.session_id, events: [record] }]);
    return { run, session: toSession(JSON.parse(String(row.session_row)) as Record<string, unknown>), agent: agentOf(row.agent_doc) };
  });
}

const agentOf = (doc: unknown): AgentDocument | null => (typeof doc === 'string' ? (JSON.parse(doc) as AgentDocument) : null);

/**
 * The statement's own NOTIFY of the session's change (one statement, no transaction around it), the
 * payload built as encodeChanges builds it, around the claimed run's session id.
 */
function sessionNotifySql(sql: SqlClient): { sql: string; params: unknown[] } {
  const target = sql.notifyTarget;
  if (target === null) return { sql: 'NULL', params: [] };
  const marker = 'ses_00000000000000000000';
  const [payload] = encodeChanges(target.sender, [{ kind: 'events', session_id: marker }]);
  const [before, after] = payload!.split(marker);
  return { sql: 'pg_notify(?, ? || claimed.session_id || ?)', params: [target.channel, before, after] };
}

async function claimOnSqlite(sql: SqlClient, runner: ClaimingRunner, now: number, max: number): Promise<ClaimedRun[]> {
  return sql.transaction(async (tx) => {
    const rows = await tx.query(
      `SELECT * FROM runs WHERE status = 'queued' AND available_at <= ? AND ${executorFilter(runner)}${tagFilter(runner)}${notExcluded('sqlite')}${treeFilter(runner)}
       ORDER BY priority DESC, seq ASC LIMIT ?`,
      [now, ...runner.executors, ...runner.tags, runner.id, ...(runner.roots ?? []), max],
    );
    const claimed: ClaimedRun[] = [];
    for (const row of rows) {
      const run = await transitionRun(tx, toRun(row), 'claimed', { runner_id: runner.id, claimed_at: now, stop_requested: false }, now);
      const [session] = await tx.query(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = ?`, [run.session_id]);
      const [agent] = await tx.query<{ doc: unknown }>('SELECT agents.doc FROM sessions JOIN agents ON agents.name = sessions.agent WHERE sessions.id = ?', [run.session_id]);
      claimed.push({ run, session: toSession(session!), agent: agentOf(agent?.doc) });
    }
    return claimed;
  });
}
