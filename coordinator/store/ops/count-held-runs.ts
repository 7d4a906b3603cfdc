import type { SqlClient } from '../sql-client.js';

/** How many runs each runner holds now (claimed or running): the slots of its capacity in use. */
export async function countHeldRuns(sql: SqlClient): Promise<Map<string, number>> {
  const rows = await sql.query<{ runner_id: string; n: unknown }>(
    "SELECT runner_id, COUNT(*) AS n FROM runs WHERE status IN ('claimed', 'running') AND runner_id IS NOT NULL GROUP BY runner_id",
  );
  return new Map(rows.map((r) => [r.runner_id, Number(r.n)]));
}
