import type { RunRecord } from '../../types.js';
import { toRun } from '../rows.js';
import type { SqlClient } from '../sql-client.js';
import { releaseHeldRun } from './release-run.js';

/**
 * The heartbeat's reconciliation: runs the store says `runnerId` holds (claimed or running) that the
 * runner does not report are released (releaseHeldRun), so a claim whose answer never reached the
 * runner comes back instead of staying claimed while the runner lives. Only runs claimed before
 * `claimedBefore` are touched: a claim younger than that may still be on its way to the runner.
 * @returns the runs released.
 */
export async function releaseUnreportedRuns(
  sql: SqlClient,
  runnerId: string,
  reported: readonly string[],
  claimedBefore: number,
  now: number,
): Promise<RunRecord[]> {
  return sql.transaction(async (tx) => {
    const rows = await tx.query(
      `SELECT * FROM runs WHERE runner_id = ? AND status IN ('claimed', 'running') AND claimed_at < ?
       ORDER BY seq${tx.forUpdate()}`,
      [runnerId, claimedBefore],
    );
    const held = new Set(reported);
    const released: RunRecord[] = [];
    for (const run of rows.map(toRun)) if (!held.has(run.id)) released.push(await releaseHeldRun(tx, run, now));
    return released;
  });
}
