import type { SqlClient } from '../sql-client.js';
import { enqueueNotification, wantsNotification } from './enqueue-notifications.js';

/**
 * How far back the sweep looks for runners whose lease ran out: one whose lease ran out while no
 * coordinator was sweeping for longer than this is not told about.
 */
export const RUNNER_OFFLINE_LOOKBACK_MS = 3_600_000;

/**
 * Enqueue `runner.offline` for each runner whose lease ran out (silent past `leaseMs`, not deregistered:
 * a runner that said goodbye did not go offline) and that was not told about yet for this silence (its
 * key is its id and the last time it was seen). Several replicas sweeping store it once (unique key).
 * No target wants it: no statement.
 * @returns the runner ids enqueued now.
 */
export async function notifyRunnersOffline(sql: SqlClient, now: number, leaseMs: number): Promise<string[]> {
  if (!wantsNotification(sql, 'runner.offline')) return [];
  const rows = await sql.query<{ id: string; name: string; hostname: string | null; last_seen_at: unknown }>(
    `SELECT r.id, r.name, r.hostname, r.last_seen_at FROM runners r
     WHERE r.deregistered_at IS NULL AND r.last_seen_at < ? AND r.last_seen_at >= ?
       AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.dedupe_key = 'runner.offline:' || r.id || ':' || CAST(r.last_seen_at AS TEXT))
     ORDER BY r.last_seen_at LIMIT 100`,
    [now - leaseMs, now - leaseMs - RUNNER_OFFLINE_LOOKBACK_MS],
  );
  const told: string[] = [];
  for (const r of rows) {
    const lastSeen = Number(r.last_seen_at);
    const stored = await enqueueNotification(sql, {
      event: 'runner.offline',
      dedupeKey: `runner.offline:${r.id}:${lastSeen}`,
      occurredAt: lastSeen + leaseMs,
      data: { runner_id: r.id, name: r.name, hostname: r.hostname, last_seen_at: new Date(lastSeen).toISOString(), lease_ms: leaseMs },
    }, now);
    if (stored > 0) told.push(r.id);
  }
  return told;
}
