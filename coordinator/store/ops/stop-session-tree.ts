import { MAX_STOP_DESCENDANTS } from '../../../protocol/limits.js';
import type { RunRecord } from '../../types.js';
import type { SqlClient } from '../sql-client.js';
import { stopSession } from './stop-session.js';

/** One stopped session's run and, when a runner must act on it, that runner's id. */
export interface StoppedRun {
  run: RunRecord;
  notifyRunner: string | null;
}

/** A session stopped with (or without) its tree: the session's own run, its descendants' and whether more are left. */
export interface StoppedTree extends StoppedRun {
  descendants: StoppedRun[];
  moreDescendants: boolean;
}

/**
 * Stop a session and, with `cascade`, every descendant (its `parent_session_id` chain leads to the session)
 * whose run is still in flight and not yet asked to stop, at most `max` (MAX_STOP_DESCENDANTS) of them, in one
 * transaction: each is stopped exactly as stopSession stops one session.
 */
export async function stopSessionTree(sql: SqlClient, id: string, now: number, cascade: boolean, max = MAX_STOP_DESCENDANTS): Promise<StoppedTree> {
  return sql.transaction(async (tx) => {
    const root = await stopSession(tx, id, now);
    if (!cascade) return { ...root, descendants: [], moreDescendants: false };
    const ids = await descendantsInFlight(tx, id, max + 1);
    const descendants: StoppedRun[] = [];
    for (const descendant of ids.slice(0, max)) descendants.push(await stopSession(tx, descendant, now));
    return { ...root, descendants, moreDescendants: ids.length > max };
  });
}

/** Ids of up to `limit` descendants of a session whose last run is in flight and not yet asked to stop, parents first. */
async function descendantsInFlight(sql: SqlClient, id: string, limit: number): Promise<string[]> {
  const rows = await sql.query<{ id: string }>(
    `WITH RECURSIVE tree (id, depth) AS (
       SELECT id, 1 FROM sessions WHERE parent_session_id = ?
       UNION ALL
       SELECT s.id, tree.depth + 1 FROM sessions s JOIN tree ON s.parent_session_id = tree.id
     )
     SELECT tree.id FROM tree
       JOIN sessions s ON s.id = tree.id
       JOIN runs r ON r.id = s.last_run_id
     WHERE r.status IN ('queued', 'lost', 'claimed', 'running') AND r.stop_requested = 0
     ORDER BY tree.depth, s.seq
     LIMIT ?`,
    [id, limit],
  );
  return rows.map((row) => row.id);
}
