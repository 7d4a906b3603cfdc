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
 * A runner's heartbeat: its lease runs from `now`; when it says what it runs (`reported`), runs the store
 * says it holds but it does not report, claimed before `claimedBefore`, are released as
 * releaseUnreportedRuns releases them; and the runs it must stop are listed.
 * The usual heartbeat (nothing to release) is one statement on PostgreSQL (the lease's update and the read
 * of the runner's runs together, no transaction) and two on SQLite; a transaction is opened only to release.
 */
export async function heartbeatRunner(
  sql: SqlClient,
  runnerId: string,
  reported: readonly string[] | undefined,
  claimedBefore: number,
  now: number,
): Promise<HeartbeatResult> {
  const held = (await touchAndReadHeld(sql, runnerId, now)).map(toRun);
  const toRelease: RunRecord[] = [];
  const still = new Set<string>();
  const reporting = reported === undefined ? null : new Set(reported);
  for (const run of held) {
    if (reporting === null || reporting.has(run.id) || (run.claimed_at ?? now) >= claimedBefore) still.add(run.id);
    else toRelease.push(run);
  }
  const released: RunRecord[] = [];
  if (toRelease.length > 0) {
    await sql.transaction(async (tx) => {
      for (const run of toRelease) {
        // Read again, locked: it may have moved on since.
        const locked = await getRunForUpdate(tx, run.id);
        if (locked?.runner_id === runnerId && (locked.status === 'claimed' || locked.status === 'running')) released.push(await releaseHeldRun(tx, locked, now));
      }
    });
  }
  const stop = held.filter((run) => still.has(run.id) && run.stop_requested).map((run) => run.id);
  for (const id of reported ?? []) if (!still.has(id) && !stop.includes(id)) stop.push(id);
  return { released, stop };
}

const HELD = "SELECT runs.* FROM runs WHERE runner_id = ? AND status IN ('claimed', 'running') ORDER BY seq";

/** Renew the runner's lease and read the runs it holds. */
async function touchAndReadHeld(sql: SqlClient, runnerId: string, now: number): Promise<Record<string, unknown>[]> {
  if (sql.dialect === 'postgres') {
    // A data-modifying WITH runs whether or not the outer query reads it.
    return sql.query(`WITH touched AS (UPDATE runners SET last_seen_at = ? WHERE id = ?) ${HELD}`, [now, runnerId, runnerId]);
  }
  await sql.query('UPDATE runners SET last_seen_at = ? WHERE id = ?', [now, runnerId]);
  return sql.query(HELD, [runnerId]);
}
