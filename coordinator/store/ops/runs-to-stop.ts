import type { SqlClient } from '../sql-client.js';

/** The ids of the runs this runner holds that someone asked to stop. */
export async function runsToStop(sql: SqlClient, runnerId: string): Promise<string[]> {
  const rows = await sql.query<{ id: string }>(
    "SELECT id FROM runs WHERE runner_id = ? AND stop_requested = 1 AND status IN ('claimed', 'running') ORDER BY seq",
    [runnerId],
  );
  return rows.map((r) => r.id);
}
