import { SESSION_COLUMNS, toSession } from '../rows.js';
import type { SqlClient } from '../sql-client.js';
import type { SessionRecord } from '../../types.js';

/** A session of a tree as `GET /v1/sessions/:id/tree` shows it: the row, and what its runs add. */
export interface TreeRecord {
  session: SessionRecord;
  /** Runs it had (start and resumes), tries over all of them, and when its first run started. */
  runs: number;
  attempts: number;
  started_at: number | null;
}

export interface TreeRead {
  /** The subtree's sessions within the limits, breadth first (by depth, then creation). */
  nodes: TreeRecord[];
  /** Sessions of the subtree left out by the depth or node limit. */
  truncated: boolean;
  /** Sessions of the whole subtree with a run in flight, and callback outcomes waiting for a session that will take them. */
  in_flight: number;
  callbacks_waiting: number;
  /** Questions open in the subtree (a person's answer will unblock or resume a session of it). */
  questions_open: number;
}

/** A LIKE pattern matching a JSON array of ids that holds `id` (`_` and `%` taken literally). */
const holding = (id: string): string => `%"${id.replace(/[\\%_]/g, (c) => `\\${c}`)}"%`;

/**
 * The subtree under `top`: itself and its descendants down to `maxDepth` levels below it, at most
 * `maxNodes` of them, breadth first, so every node returned has its parent returned too. Read from the
 * tree's index (root, depth); a session below the root is matched by its `ancestors`.
 */
export async function readSessionTree(sql: SqlClient, top: SessionRecord, maxDepth: number, maxNodes: number): Promise<TreeRead> {
  const isRoot = top.root_session_id === top.id;
  /** The subtree's sessions, as a condition on the `sessions` table. */
  const where = (s: string) =>
    isRoot ? `${s}.root_session_id = ?` : `${s}.root_session_id = ? AND (${s}.id = ? OR ${s}.ancestors LIKE ? ESCAPE '\\')`;
  const subtreeParams = isRoot ? [top.id] : [top.root_session_id, top.id, holding(top.id)];
  const rows = await sql.query(
    `SELECT ${SESSION_COLUMNS},
       (SELECT COUNT(*) FROM runs WHERE runs.session_id = sessions.id) AS run_count,
       (SELECT COALESCE(SUM(attempt), 0) FROM runs WHERE runs.session_id = sessions.id) AS attempt_count,
       (SELECT MIN(started_at) FROM runs WHERE runs.session_id = sessions.id) AS first_started_at
     FROM sessions WHERE ${where('sessions')} AND depth <= ?
     ORDER BY depth, seq LIMIT ?`,
    [...subtreeParams, top.depth + maxDepth, maxNodes + 1],
  );
  const [counts] = await sql.query<{ in_flight: unknown; callbacks_waiting: unknown; questions_open: unknown }>(
    `SELECT
       (SELECT COUNT(*) FROM sessions s WHERE ${where('s')} AND s.status IN ('queued', 'running')) AS in_flight,
       (SELECT COUNT(*) FROM callbacks c JOIN sessions s ON s.id = c.session_id
         WHERE ${where('s')} AND c.delivered_run_id IS NULL AND s.status NOT IN ('failed', 'cancelled') AND s.stop_reason IS NULL) AS callbacks_waiting,
       (SELECT COALESCE(SUM(s.open_questions), 0) FROM sessions s WHERE ${where('s')} AND s.stop_reason IS NULL) AS questions_open`,
    [...subtreeParams, ...subtreeParams, ...subtreeParams],
  );
  const nodes = rows.slice(0, maxNodes).map((row) => ({
    session: toSession(row),
    runs: Number(row.run_count),
    attempts: Number(row.attempt_count),
    started_at: row.first_started_at === null || row.first_started_at === undefined ? null : Number(row.first_started_at),
  }));
  return {
    nodes,
    truncated: rows.length > maxNodes || nodes.length < top.descendants + 1,
    in_flight: Number(counts?.in_flight ?? 0),
    callbacks_waiting: Number(counts?.callbacks_waiting ?? 0),
    questions_open: Number(counts?.questions_open ?? 0),
  };
}

/** A session of a subtree as a tree event stream needs it. */
export interface SubtreeMember {
  id: string;
  depth: number;
  agent: string | null;
  executor: string | null;
  parent_session_id: string | null;
}

/** Every session of the subtree under `top` (itself first), breadth first. */
export async function listSubtree(sql: SqlClient, top: Pick<SessionRecord, 'id' | 'root_session_id'>): Promise<SubtreeMember[]> {
  const isRoot = top.root_session_id === top.id;
  const rows = await sql.query(
    `SELECT id, depth, agent, executor, parent_session_id FROM sessions
     WHERE root_session_id = ?${isRoot ? '' : " AND (id = ? OR ancestors LIKE ? ESCAPE '\\')"} ORDER BY depth, seq`,
    isRoot ? [top.id] : [top.root_session_id, top.id, holding(top.id)],
  );
  return rows.map((r) => ({ id: String(r.id), depth: Number(r.depth), agent: r.agent === null ? null : String(r.agent), executor: r.executor === null ? null : String(r.executor), parent_session_id: r.parent_session_id === null ? null : String(r.parent_session_id) }));
}
