import type { RunnerRecord } from '../../types.js';
import { toRunner } from '../rows.js';
import type { SqlClient } from '../sql-client.js';

/** Every runner, oldest first. */
export async function listRunners(sql: SqlClient): Promise<RunnerRecord[]> {
  const rows = await sql.query('SELECT * FROM runners ORDER BY registered_at, id');
  return rows.map(toRunner);
}
