import type { RunRecord, SessionRecord } from '../../types.js';
import { SESSION_COLUMNS, toRun, toSession } from '../rows.js';
import type { SqlClient } from '../sql-client.js';
import { sessionLocked } from './event-seqs.js';

/** One session, or `null`. */
export async function getSession(sql: SqlClient, id: string): Promise<SessionRecord | null> {
  const [row] = await sql.query(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = ?`, [id]);
  return row === undefined ? null : toSession(row);
}

/** One session and the model its latest run was given (null: none chosen), in one statement; or `null`. */
export async function getSessionWithModel(sql: SqlClient, id: string): Promise<{ session: SessionRecord; model: string | null } | null> {
  const [row] = await sql.query(`SELECT ${SESSION_COLUMNS}, (SELECT runs.model FROM runs WHERE runs.id = sessions.last_run_id) AS last_run_model FROM sessions WHERE id = ?`, [id]);
  return row === undefined ? null : { session: toSession(row), model: row.last_run_model == null ? null : String(row.last_run_model) };
}

/** One run, or `null`. */
export async function getRun(sql: SqlClient, id: string): Promise<RunRecord | null> {
  const [row] = await sql.query('SELECT * FROM runs WHERE id = ?', [id]);
  return row === undefined ? null : toRun(row);
}

/** One run, or `null`, its row locked until the transaction `tx` ends (PostgreSQL). */
export async function getRunForUpdate(tx: SqlClient, id: string): Promise<RunRecord | null> {
  const [row] = await tx.query(`SELECT * FROM runs WHERE id = ?${tx.forUpdate()}`, [id]);
  return row === undefined ? null : toRun(row);
}

/**
 * One run, or `null`, its row locked and, on PostgreSQL, its session's row too (`FOR NO KEY UPDATE`, the
 * lock allocateEventSeqs takes before reading a session's highest seq): one statement instead of two for a
 * transaction that will store events of the run's session (a runner's report). Run first, then session:
 * the order run transitions take.
 */
export async function getRunForUpdateWithSession(tx: SqlClient, id: string): Promise<RunRecord | null> {
  if (tx.dialect !== 'postgres') return getRunForUpdate(tx, id);
  const [row] = await tx.query('SELECT runs.* FROM runs JOIN sessions ON sessions.id = runs.session_id WHERE runs.id = ? FOR UPDATE OF runs FOR NO KEY UPDATE OF sessions', [id]);
  if (row === undefined) return null;
  const run = toRun(row);
  sessionLocked(tx, run.session_id);
  return run;
}

/** A session's runs, oldest first. */
export async function listRuns(sql: SqlClient, sessionId: string): Promise<RunRecord[]> {
  const rows = await sql.query('SELECT * FROM runs WHERE session_id = ? ORDER BY seq', [sessionId]);
  return rows.map(toRun);
}
