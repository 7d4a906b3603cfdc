import type { SqlClient } from '../sql-client.js';

/** Record a heartbeat: the runner's lease now runs from `now`. */
export async function touchRunner(sql: SqlClient, id: string, now: number): Promise<void> {
  await sql.query('UPDATE runners SET last_seen_at = ? WHERE id = ?', [now, id]);
}
