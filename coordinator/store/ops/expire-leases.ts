import type { BackoffPolicy } from '../../../lib/retry/backoff.js';
import { decideFinish } from '../../rules/finish-decision.js';
import type { RunRecord } from '../../types.js';
import { toRun } from '../rows.js';
import type { SqlClient } from '../sql-client.js';
import { transitionRun } from './transition-run.js';

/**
 * Take back the claimed and running runs of runners whose lease expired (or that deregistered):
 * each becomes `lost`, then is re-queued with backoff while attempts remain, otherwise `failed`;
 * one that was asked to stop becomes `cancelled` (a stop outlives the runner that was told it).
 * @returns the runs as they are now.
 */
export async function expireLeases(
  sql: SqlClient,
  now: number,
  leaseMs: number,
  backoff: BackoffPolicy,
): Promise<RunRecord[]> {
  return sql.transaction(async (tx) => {
    const rows = await tx.query(
      `SELECT runs.* FROM runs LEFT JOIN runners ON runners.id = runs.runner_id
       WHERE runs.status IN ('claimed', 'running') AND runs.mode <> 'workflow'
         AND (runners.id IS NULL OR runners.deregistered_at IS NOT NULL OR runners.last_seen_at < ?)
       ORDER BY runs.seq LIMIT 500${tx.forUpdate({ of: 'runs', skipLocked: true })}`,
      [now - leaseMs],
    );
    const out: RunRecord[] = [];
    for (const run of rows.map(toRun)) {
      const message = `runner ${run.runner_id} stopped heartbeating (lease ${leaseMs} ms); attempt ${run.attempt} of ${run.max_attempts} lost`;
      const lost = await transitionRun(tx, run, 'lost', { error: message }, now);
      const decision = decideFinish('lost', lost, now, backoff);
      const why = decision.status === 'cancelled' ? 'it was asked to stop, so it is not retried' : 'no attempts left';
      out.push(
        decision.retry === null
          ? await transitionRun(tx, lost, decision.status, { finished_at: now, error: `${message}; ${why}` }, now)
          : await transitionRun(tx, lost, 'queued', {
              attempt: decision.retry.attempt, available_at: decision.retry.availableAt, queued_at: now,
              runner_id: null, claimed_at: null, started_at: null, stop_requested: false,
            }, now),
      );
    }
    return out;
  });
}
