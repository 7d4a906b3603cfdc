import type { RunStatus } from '../../../protocol/statuses.js';
import type { SqlClient } from '../sql-client.js';

/** How many runs are in each state. */
export async function countRunsByStatus(sql: SqlClient): Promise<Partial<Record<RunStatus, number>>> {
  const rows = await sql.query<{ status: RunStatus; n: unknown }>('SELECT status, COUNT(*) AS n FROM runs GROUP BY status');
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** How many queued runs may be claimed now (the sweeper wakes long-polls when backoffs end). */
export async function countClaimable(sql: SqlClient, now: number): Promise<number> {
  const [row] = await sql.query<{ n: unknown }>("SELECT COUNT(*) AS n FROM runs WHERE status = 'queued' AND available_at <= ?", [now]);
  return Number(row?.n ?? 0);
}
