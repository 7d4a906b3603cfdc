import type { RunnerRecord } from '../../types.js';
import { toRunner } from '../rows.js';
import type { SqlClient } from '../sql-client.js';

/** A runner and its token hash, or `null`. */
export async function getRunnerWithToken(sql: SqlClient, id: string): Promise<{ runner: RunnerRecord; tokenHash: string } | null> {
  const [row] = await sql.query('SELECT * FROM runners WHERE id = ?', [id]);
  return row === undefined ? null : { runner: toRunner(row), tokenHash: String(row.token_hash) };
}
