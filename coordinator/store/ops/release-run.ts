import type { SqlClient } from '../sql-client.js';
import { getRunForUpdate } from './get-records.js';
import { transitionRun } from './transition-run.js';

/** Give a claimed run back to the queue (its long-poll went away before the runner saw it). */
export async function releaseRun(sql: SqlClient, runId: string, now: number): Promise<void> {
  await sql.transaction(async (tx) => {
    const run = await getRunForUpdate(tx, runId);
    if (run === null || run.status !== 'claimed') return;
    await transitionRun(tx, run, 'queued', { runner_id: null, claimed_at: null }, now);
  });
}
