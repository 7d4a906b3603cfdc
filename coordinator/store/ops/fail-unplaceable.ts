import { formatDuration } from '../../../protocol/duration.js';
import { unplaceableReason } from '../../rules/placement.js';
import type { RunRecord, RunnerRecord } from '../../types.js';
import { toRun } from '../rows.js';
import { placeholders, type SqlClient } from '../sql-client.js';
import { transitionRun } from './transition-run.js';

/**
 * Fail queued runs that have waited the placement timeout (0: at once) and that no online runner can
 * serve, with an error that says what they asked for and what the online runners serve. Runs an online
 * runner could serve keep waiting. `runIds` limits it to those runs (a run just queued on a coordinator
 * whose placement timeout is 0).
 */
export async function failUnplaceable(
  sql: SqlClient,
  now: number,
  placementTimeoutMs: number,
  online: readonly RunnerRecord[],
  runIds?: readonly string[],
): Promise<RunRecord[]> {
  return sql.transaction(async (tx) => {
    const only = runIds === undefined ? '' : ` AND id IN (${placeholders(runIds.length)})`;
    // Read without a lock, and lock only the runs to fail: a run an online runner serves stays free to
    // claim meanwhile (a claim passes over locked rows, SKIP LOCKED, and would not come back for it until
    // the next wake-up: a run created with --placement-timeout 0 waited for the sweep).
    const waiting = await tx.query(`SELECT * FROM runs WHERE status = 'queued' AND queued_at <= ?${only} ORDER BY seq LIMIT 500`, [
      now - placementTimeoutMs,
      ...(runIds ?? []),
    ]);
    const unplaceable = new Map<string, string>();
    for (const run of waiting.map(toRun)) {
      const reason = unplaceableReason(run, online);
      if (reason !== null) unplaceable.set(run.id, reason);
    }
    if (unplaceable.size === 0) return [];
    const locked = await tx.query(
      `SELECT * FROM runs WHERE status = 'queued' AND id IN (${placeholders(unplaceable.size)}) ORDER BY seq${tx.forUpdate({ skipLocked: true })}`,
      [...unplaceable.keys()],
    );
    const failed: RunRecord[] = [];
    const within = placementTimeoutMs === 0 ? '' : ` within the placement timeout (${formatDuration(placementTimeoutMs)})`;
    for (const run of locked.map(toRun)) {
      failed.push(await transitionRun(tx, run, 'failed', { finished_at: now, error: `no runner can serve this run${within}: ${unplaceable.get(run.id)!}` }, now));
    }
    return failed;
  });
}
