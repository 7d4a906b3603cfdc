import { runnerCanServe } from '../../queue/matching.js';
import type { RunRecord } from '../../types.js';
import { toRun } from '../rows.js';
import type { SqlClient } from '../sql-client.js';
import { placeholders } from '../sql-client.js';
import { transitionRun } from './transition-run.js';

/** How many queued runs one claim looks at (tag matching happens on these, in priority order). */
export const CLAIM_CANDIDATES = 32;

/**
 * Claim the highest-priority, oldest queued run this runner can serve, atomically: the row is locked
 * (`FOR UPDATE SKIP LOCKED` on PostgreSQL, the write lock of `BEGIN IMMEDIATE` on SQLite) and the
 * update is conditional on the run still being `queued`, so no run is ever claimed twice.
 */
export async function claimNextRun(
  sql: SqlClient,
  runner: { id: string; executors: readonly string[]; tags: readonly string[] },
  now: number,
): Promise<RunRecord | null> {
  return sql.transaction(async (tx) => {
    const executorFilter =
      runner.executors.length === 0 ? 'executor IS NULL' : `(executor IS NULL OR executor IN (${placeholders(runner.executors.length)}))`;
    const lock = tx.dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
    const rows = await tx.query(
      `SELECT * FROM runs WHERE status = 'queued' AND available_at <= ? AND ${executorFilter}
       ORDER BY priority DESC, seq ASC LIMIT ${CLAIM_CANDIDATES}${lock}`,
      [now, ...runner.executors],
    );
    const run = rows.map(toRun).find((r) => runnerCanServe(r, runner));
    if (run === undefined) return null;
    return transitionRun(tx, run, 'claimed', { runner_id: runner.id, claimed_at: now, stop_requested: false }, now);
  });
}
