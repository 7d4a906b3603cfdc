import type { SqlClient } from '../sql-client.js';

/** Mark a runner gone; its runs are taken back by the next lease sweep. */
export async function deregisterRunner(sql: SqlClient, id: string, now: number): Promise<void> {
  await sql.query('UPDATE runners SET deregistered_at = ? WHERE id = ?', [now, id]);
}
