import type { RunRecord } from '../../types.js';
import type { SqlClient } from '../sql-client.js';
import { enqueueNotification, wantsNotification } from './enqueue-notifications.js';

/** The status `session.ended` reports for a run's terminal status. */
const ENDED_STATUS: Record<string, 'succeeded' | 'failed' | 'cancelled'> = { succeeded: 'succeeded', failed: 'failed', timed_out: 'failed', cancelled: 'cancelled' };

/** Longest error text a notification carries (the session has the rest). */
const MAX_ERROR_CHARS = 1_000;

/**
 * A run ended (inside the transaction that ended it): enqueue `session.ended` when it is its session's
 * latest run, and `tree.ended` when its root's tree is quiet now (nothing queued or running, no callback
 * waiting). Only for events a target subscribes to; without a notification config, no statement.
 * On PostgreSQL the tree check takes a transaction lock on the root first, so two runs of one tree ending
 * at once are checked one after the other and the second sees the first's end (READ COMMITTED): the tree's
 * end is seen once, by the last.
 */
export async function notifyRunEnded(tx: SqlClient, run: RunRecord, now: number): Promise<void> {
  const session = wantsNotification(tx, 'session.ended');
  const tree = wantsNotification(tx, 'tree.ended');
  if (!session && !tree) return;
  const [row] = await tx.query<{ agent: string | null; root_session_id: string | null; parent_session_id: string | null; last_run_id: string }>(
    'SELECT agent, root_session_id, parent_session_id, last_run_id FROM sessions WHERE id = ?',
    [run.session_id],
  );
  if (row === undefined) return;
  const subject = { id: run.session_id, agent: row.agent, root_session_id: row.root_session_id };
  if (session && row.last_run_id === run.id) {
    const error = run.error ?? null;
    await enqueueNotification(tx, {
      event: 'session.ended',
      dedupeKey: `session.ended:${run.id}`,
      occurredAt: now,
      session: subject,
      data: {
        session_id: run.session_id, run_id: run.id, status: ENDED_STATUS[run.status] ?? 'failed', run_status: run.status,
        agent: row.agent, executor: run.executor, attempt: run.attempt, root_session_id: row.root_session_id, parent_session_id: row.parent_session_id,
        error: error === null ? null : error.slice(0, MAX_ERROR_CHARS),
      },
    }, now);
  }
  if (tree && row.root_session_id !== null) await notifyTreeQuiet(tx, row.root_session_id, run, now);
}

async function notifyTreeQuiet(tx: SqlClient, rootId: string, run: RunRecord, now: number): Promise<void> {
  if (tx.dialect === 'postgres') await tx.query("SELECT pg_advisory_xact_lock(hashtext('agent_runner_tree:' || ?))", [rootId]);
  const [root] = await tx.query<{ agent: string | null; status: string; descendants: unknown; tree_cost_usd: unknown; in_flight: unknown; waiting: unknown }>(
    `SELECT r.agent, r.status, r.descendants, r.tree_cost_usd,
       (SELECT COUNT(*) FROM sessions s WHERE s.root_session_id = r.id AND s.status IN ('queued', 'running')) AS in_flight,
       (SELECT COUNT(*) FROM callbacks c JOIN sessions s ON s.id = c.session_id
          WHERE s.root_session_id = r.id AND c.delivered_run_id IS NULL AND s.status NOT IN ('failed', 'cancelled')) AS waiting
     FROM sessions r WHERE r.id = ?`,
    [rootId],
  );
  if (root === undefined || Number(root.in_flight) > 0 || Number(root.waiting) > 0) return;
  const status = root.status === 'idle' ? 'succeeded' : root.status === 'cancelled' ? 'cancelled' : 'failed';
  await enqueueNotification(tx, {
    event: 'tree.ended',
    dedupeKey: `tree.ended:${rootId}:${run.id}`,
    occurredAt: now,
    session: { id: rootId, agent: root.agent, root_session_id: rootId },
    data: { root_session_id: rootId, agent: root.agent, status, sessions: 1 + Number(root.descendants), cost_usd: Number(root.tree_cost_usd), last_run_id: run.id },
  }, now);
}
