import { describeRequirement, runnerCanServe } from '../../rules/matching.js';
import type { RunRecord, RunnerRecord } from '../../types.js';
import { toRun } from '../rows.js';
import type { SqlClient } from '../sql-client.js';
import { transitionRun } from './transition-run.js';

/**
 * Fail queued runs that have waited longer than the placement timeout and that no online runner can
 * serve, with an error that says what they asked for. Runs an online runner could serve keep waiting.
 */
export async function failUnplaceable(
  sql: SqlClient,
  now: number,
  placementTimeoutMs: number,
  online: readonly RunnerRecord[],
): Promise<RunRecord[]> {
  return sql.transaction(async (tx) => {
    const rows = await tx.query(
      `SELECT * FROM runs WHERE status = 'queued' AND queued_at < ? ORDER BY seq LIMIT 500${tx.forUpdate({ skipLocked: true })}`,
      [now - placementTimeoutMs],
    );
    const failed: RunRecord[] = [];
    for (const run of rows.map(toRun)) {
      if (online.some((runner) => runnerCanServe(run, runner))) continue;
      const error = `no runner can serve this run: it asked for ${describeRequirement(run)} and none was online within the placement timeout (${placementTimeoutMs} ms)`;
      failed.push(await transitionRun(tx, run, 'failed', { finished_at: now, error }, now));
    }
    return failed;
  });
}
