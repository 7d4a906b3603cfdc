import type { RunnerRecord } from '../../types.js';
import { toRunner } from '../rows.js';
import type { SqlClient } from '../sql-client.js';

/** Runners whose lease holds now. */
export async function listOnlineRunners(sql: SqlClient, now: number, leaseMs: number): Promise<RunnerRecord[]> {
  const rows = await sql.query('SELECT * FROM runners WHERE deregistered_at IS NULL AND last_seen_at >= ?', [now - leaseMs]);
  return rows.map(toRunner);
}
