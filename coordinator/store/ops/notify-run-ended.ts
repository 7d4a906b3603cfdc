import type { RunRecord } from '../../types.js';
import type { SqlClient } from '../sql-client.js';
import { enqueueNotifications, type NotificationToEnqueue, wantsNotification } from './enqueue-notifications.js';

/** The status `session.ended` reports for a run's terminal status. */
const ENDED_STATUS: Record<string, 'succeeded' | 'failed' | 'cancelled'> = { succeeded: 'succeeded', failed: 'failed', timed_out: 'failed', cancelled: 'cancelled' };

/** Longest error text a notification carries (the session has the rest). */
const MAX_ERROR_CHARS = 1_000;

/** What one read tells about the session whose run ended and, for tree.ended, its root and tree. */
interface EndedRow {
  agent: string | null;
  root_session_id: string | null;
  parent_session_id: string | null;
  last_run_id: string;
  root_agent?: string | null;
  root_status?: string;
  root_descendants?: unknown;
  root_cost_usd?: unknown;
  in_flight?: unknown;
  waiting?: unknown;
}

/** The tree columns of the read: the root's row, and what is in flight or waiting under it. */
const TREE_COLUMNS = `,
  r.agent AS root_agent, r.status AS root_status, r.descendants AS root_descendants, r.tree_cost_usd AS root_cost_usd,
  (SELECT COUNT(*) FROM sessions x WHERE x.root_session_id = s.root_session_id AND x.status IN ('queued', 'running')) AS in_flight,
  ((SELECT COUNT(*) FROM callbacks c JOIN sessions x ON x.id = c.session_id
     WHERE x.root_session_id = s.root_session_id AND c.delivered_run_id IS NULL AND x.status NOT IN ('failed', 'cancelled') AND x.stop_reason IS NULL)
   + (SELECT COALESCE(SUM(x.open_questions), 0) FROM sessions x WHERE x.root_session_id = s.root_session_id AND x.stop_reason IS NULL)) AS waiting`;

/**
 * A run ended (inside the transaction that ended it): enqueue `session.ended` when it is its session's
 * latest run, and `tree.ended` when its root's tree is quiet now (nothing queued or running, no callback
 * waiting, no question open, as GET /v1/sessions/:id/tree counts them). Only for events a target subscribes to: one read and one INSERT; without a notification config,
 * no statement.
 * On PostgreSQL the tree check first takes a transaction lock on the root, so two runs of one tree ending
 * at once are checked one after the other and the second sees the first's end (READ COMMITTED): the tree's
 * end is seen once, by the last. (SQLite's write transaction holds the whole database already.)
 */
export async function notifyRunEnded(tx: SqlClient, run: RunRecord, now: number): Promise<void> {
  const session = wantsNotification(tx, 'session.ended');
  const tree = wantsNotification(tx, 'tree.ended');
  if (!session && !tree) return;
  if (tree && tx.dialect === 'postgres') {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('agent_runner_tree:' || (SELECT root_session_id FROM sessions WHERE id = ?)))", [run.session_id]);
  }
  const [row] = await tx.query<EndedRow>(
    `SELECT s.agent, s.root_session_id, s.parent_session_id, s.last_run_id${tree ? TREE_COLUMNS : ''}
     FROM sessions s${tree ? ' JOIN sessions r ON r.id = s.root_session_id' : ''} WHERE s.id = ?`,
    [run.session_id],
  );
  if (row === undefined) return;
  const list: NotificationToEnqueue[] = [];
  if (session && row.last_run_id === run.id) {
    const error = run.error ?? null;
    list.push({
      event: 'session.ended',
      dedupeKey: `session.ended:${run.id}`,
      occurredAt: now,
      session: { id: run.session_id, agent: row.agent, root_session_id: row.root_session_id },
      data: {
        session_id: run.session_id, run_id: run.id, status: ENDED_STATUS[run.status] ?? 'failed', run_status: run.status,
        agent: row.agent, executor: run.executor, attempt: run.attempt, root_session_id: row.root_session_id, parent_session_id: row.parent_session_id,
        error: error === null ? null : error.slice(0, MAX_ERROR_CHARS),
      },
    });
  }
  if (tree && row.root_session_id !== null && Number(row.in_flight) === 0 && Number(row.waiting) === 0) {
    const rootId = row.root_session_id;
    const status = row.root_status === 'idle' ? 'succeeded' : row.root_status === 'cancelled' ? 'cancelled' : 'failed';
    list.push({
      event: 'tree.ended',
      dedupeKey: `tree.ended:${rootId}:${run.id}`,
      occurredAt: now,
      session: { id: rootId, agent: row.root_agent ?? null, root_session_id: rootId },
      data: { root_session_id: rootId, agent: row.root_agent ?? null, status, sessions: 1 + Number(row.root_descendants), cost_usd: Number(row.root_cost_usd), last_run_id: run.id },
    });
  }
  await enqueueNotifications(tx, list, now);
}
