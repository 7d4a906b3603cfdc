import type { SqlClient } from '../sql-client.js';

/**
 * Take or renew the lease `name` for `holder` until `until`: granted when nobody holds it, when `holder`
 * already does, or when the holder's lease has expired (one statement, so two replicas cannot both win).
 * @returns whether `holder` holds it now.
 */
export async function acquireLease(sql: SqlClient, name: string, holder: string, until: number, now: number): Promise<boolean> {
  const rows = await sql.query(
    `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
     WHERE leases.holder = excluded.holder OR leases.expires_at < ?
     RETURNING holder`,
    [name, holder, until, now],
  );
  return rows.length === 1;
}
