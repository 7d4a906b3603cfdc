import type { RunRecord } from '../../types.js';
import { toRun } from '../rows.js';
import type { SqlClient } from '../sql-client.js';
import { getRunForUpdate } from './get-records.js';
import { releaseHeldRun } from './release-run.js';

/** What a heartbeat changed and what the runner must stop. */
export interface HeartbeatResult {
  /** Runs it held unreported, given back (releaseUnreportedRuns). */
  released: RunRecord[];
  /** Runs to stop: asked to stop, or reported by the runner but no longer its (its lease lapsed, they went elsewhere). */
  stop: string[];
}

/**
 * A runner's heartbeat in one transaction: its lease runs from `now`; when it says what it runs
 * (`reported`), runs the store says it holds but it does not report, claimed before `claimedBefore`,
 * are released as releaseUnreportedRuns releases them; and the runs it must stop are listed.
 */
export async function heartbeatRunner(
  sql: SqlClient,
  runnerId: string,
  reported: readonly string[] | undefined,
  claimedBefore: number,
  now: number,
): Promise<HeartbeatResult> {
  return sql.transaction(async (tx) => {
    await tx.query('UPDATE runners SET last_seen_at = ? WHERE id = ?', [now, runnerId]);
    const held = (await tx.query("SELECT * FROM runs WHERE runner_id = ? AND status IN ('claimed', 'running') ORDER BY seq", [runnerId])).map(toRun);
    const released: RunRecord[] = [];
    const still = new Set<string>();
    const reporting = reported === undefined ? null : new Set(reported);
    for (const run of held) {
      if (reporting === null || reporting.has(run.id) || (run.claimed_at ?? now) >= claimedBefore) {
        still.add(run.id);
        continue;
      }
      // Read again, locked: it may have moved on since.
      const locked = await getRunForUpdate(tx, run.id);
      if (locked?.runner_id === runnerId && (locked.status === 'claimed' || locked.status === 'running')) released.push(await releaseHeldRun(tx, locked, now));
    }
    const stop = held.filter((run) => still.has(run.id) && run.stop_requested).map((run) => run.id);
    for (const id of reported ?? []) if (!still.has(id) && !stop.includes(id)) stop.push(id);
    return { released, stop };
  });
}
