import { isSessionActive } from '../../rules/session-status.js';
import { toSession } from '../rows.js';
import type { SqlClient } from '../sql-client.js';
import { ConflictError, NotFoundError } from '../store-errors.js';

/** Delete a session with its runs and events; refused (ConflictError) while it has a run in flight. */
export async function deleteSession(sql: SqlClient, id: string): Promise<void> {
  await sql.transaction(async (tx) => {
    const [row] = await tx.query(`SELECT * FROM sessions WHERE id = ?${tx.forUpdate()}`, [id]);
    if (row === undefined) throw new NotFoundError('session', id);
    const session = toSession(row);
    if (isSessionActive(session.status)) {
      throw new ConflictError(`session ${id} is ${session.status}; stop it before deleting it`, { session: id, status: session.status });
    }
    await tx.query('DELETE FROM events WHERE session_id = ?', [id]);
    await tx.query('DELETE FROM runs WHERE session_id = ?', [id]);
    await tx.query('DELETE FROM sessions WHERE id = ?', [id]);
  });
}
