import type { RunRecord } from '../../types.js';
import type { SqlClient } from '../sql-client.js';
import { getRunForUpdate } from './get-records.js';
import { transitionRun } from './transition-run.js';

/** Give a claimed run back to the queue (its long-poll went away before the runner saw it). */
export async function releaseRun(sql: SqlClient, runId: string, now: number): Promise<void> {
  await sql.transaction(async (tx) => {
    const run = await getRunForUpdate(tx, runId);
    if (run === null || run.status !== 'claimed') return;
    await releaseHeldRun(tx, run, now);
  });
}

/**
 * Take a claimed or running run from a runner that does not have it: back to the queue as the same
 * attempt (it never ran there, so no attempt is charged and no backoff applies), or `cancelled` when
 * someone asked to stop it. Inside a transaction, the run read `forUpdate`.
 */
export async function releaseHeldRun(tx: SqlClient, run: RunRecord, now: number): Promise<RunRecord> {
  if (run.stop_requested) {
    return transitionRun(tx, run, 'cancelled', { finished_at: now, error: 'stopped before its runner started it' }, now);
  }
  return transitionRun(tx, run, 'queued', { runner_id: null, claimed_at: null, started_at: null }, now);
}
