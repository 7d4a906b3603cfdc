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
    const rows = await tx.query(
      `SELECT * FROM runs WHERE status = 'queued' AND queued_at <= ?${only} ORDER BY seq LIMIT 500${tx.forUpdate({ skipLocked: true })}`,
      [now - placementTimeoutMs, ...(runIds ?? [])],
    );
    const failed: RunRecord[] = [];
    const within = placementTimeoutMs === 0 ? '' : ` within the placement timeout (${formatDuration(placementTimeoutMs)})`;
    for (const run of rows.map(toRun)) {
      const reason = unplaceableReason(run, online);
      if (reason === null) continue;
      failed.push(await transitionRun(tx, run, 'failed', { finished_at: now, error: `no runner can serve this run${within}: ${reason}` }, now));
    }
    return failed;
  });
}
