import { isSessionActive } from '../../rules/session-status.js';
import type { SessionStatus } from '../../../protocol/statuses.js';
import { SESSION_COLUMNS, toSession } from '../rows.js';
import { placeholders, type SqlClient } from '../sql-client.js';
import { ConflictError, NotFoundError } from '../store-errors.js';

/** Ids per `IN (…)` list: far below SQLite's and PostgreSQL's bound-parameter limits. */
const IDS_PER_STATEMENT = 500;

/** Run states in which a run will still end (and may resume the session it calls back). */
const LIVE_RUN_STATES = "('queued', 'claimed', 'running', 'lost')";

/**
 * Delete a session with its whole subtree (its descendants: their `parent_session_id` chain leads to it),
 * with their runs, events and callback outcomes, in one transaction: a child without its parent would
 * belong to no tree. Refused (ConflictError naming the session and its state) while any session of the
 * subtree has a run in flight, or a live run elsewhere will resume one of them with its outcome (callback mode).
 * @returns how many sessions were deleted (the session and its descendants).
 */
export async function deleteSession(sql: SqlClient, id: string): Promise<{ deleted: number }> {
  return sql.transaction(async (tx) => {
    const [row] = await tx.query(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = ?${tx.forUpdate({ of: 'sessions' })}`, [id]);
    if (row === undefined) throw new NotFoundError('session', id);
    const session = toSession(row);
    if (isSessionActive(session.status)) {
      throw new ConflictError(`session ${id} is ${session.status}; stop it before deleting it`, { session: id, status: session.status });
    }
    const tree = await tx.query<{ id: string; status: SessionStatus }>(
      `WITH RECURSIVE tree (id) AS (
         SELECT id FROM sessions WHERE parent_session_id = ?
         UNION
         SELECT s.id FROM sessions s JOIN tree ON s.parent_session_id = tree.id
       )
       SELECT s.id, s.status FROM tree JOIN sessions s ON s.id = tree.id ORDER BY s.seq${tx.forUpdate({ of: 's' })}`,
      [id],
    );
    const live = tree.find((d) => isSessionActive(d.status));
    if (live !== undefined) {
      throw new ConflictError(`session ${id} has a descendant in flight (${live.id} is ${live.status}); stop the tree (sessions stop ${id}) before deleting it`, {
        session: id,
        descendant: live.id,
        status: live.status,
      });
    }
    const ids = [id, ...tree.map((d) => d.id)];
    for (const chunk of chunks(ids)) {
      const [caller] = await tx.query<{ id: string; session_id: string; callback_session_id: string }>(
        `SELECT id, session_id, callback_session_id FROM runs WHERE callback_session_id IN (${placeholders(chunk.length)}) AND status IN ${LIVE_RUN_STATES} LIMIT 1`,
        chunk,
      );
      if (caller !== undefined) {
        throw new ConflictError(
          `session ${caller.callback_session_id} waits for the outcome of run ${caller.id} of session ${caller.session_id} (callback mode); stop that session or wait for it before deleting ${id}`,
          { session: id, waiting: caller.callback_session_id, run: caller.id },
        );
      }
    }
    await removeSessions(tx, ids);
    return { deleted: ids.length };
  });
}

/** Delete these sessions' events, callback outcomes, runs and the sessions themselves (call inside a transaction). */
export async function removeSessions(tx: SqlClient, ids: readonly string[]): Promise<void> {
  for (const chunk of chunks(ids)) {
    const list = placeholders(chunk.length);
    await tx.query(`DELETE FROM events WHERE session_id IN (${list})`, chunk);
    await tx.query(`DELETE FROM callbacks WHERE session_id IN (${list})`, chunk);
    await tx.query(`DELETE FROM runs WHERE session_id IN (${list})`, chunk);
    await tx.query(`DELETE FROM sessions WHERE id IN (${list})`, chunk);
  }
}

function chunks(ids: readonly string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < ids.length; i += IDS_PER_STATEMENT) out.push(ids.slice(i, i + IDS_PER_STATEMENT));
  return out;
}
