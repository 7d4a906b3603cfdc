import { placeholders, type SqlClient } from '../sql-client.js';

/** Record a heartbeat: the runner's lease now runs from `now`. */
export async function touchRunner(sql: SqlClient, id: string, now: number): Promise<void> {
  await sql.query('UPDATE runners SET last_seen_at = ? WHERE id = ?', [now, id]);
}

/** Ids per `IN (…)` list: far below SQLite's and PostgreSQL's bound-parameter limits. */
const IDS_PER_STATEMENT = 500;

/**
 * Renew the lease of runners whose long-poll is parked (they need not heartbeat, see docs/coordinator.md
 * "Leases"), except those the store says hold a run: a runner that holds a run must say so in its
 * heartbeats (a run whose claim never reached its runner is then released, or lost with the lease).
 */
export async function touchIdleRunners(sql: SqlClient, ids: readonly string[], now: number): Promise<void> {
  for (let i = 0; i < ids.length; i += IDS_PER_STATEMENT) {
    const chunk = ids.slice(i, i + IDS_PER_STATEMENT);
    await sql.query(
      `UPDATE runners SET last_seen_at = ? WHERE id IN (${placeholders(chunk.length)}) AND deregistered_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM runs WHERE runs.runner_id = runners.id AND runs.status IN ('claimed', 'running'))`,
      [now, ...chunk],
    );
  }
}
