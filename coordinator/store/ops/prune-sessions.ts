import type { SessionStatus } from '../../../protocol/statuses.js';
import { placeholders, type SqlClient } from '../sql-client.js';
import { removeSessions } from './delete-session.js';

export interface PruneFilter {
  /** Sessions that ended before this time (ms since the epoch). */
  endedBefore: number;
  /** …in one of these (ended) states. */
  statuses: readonly SessionStatus[];
}

/**
 * Delete up to `max` sessions that match the filter, with their runs, events and callback outcomes, in
 * one transaction. A matching session is kept while any of its descendants does not match (it is in
 * flight, ended later, or in another state: deleting the parent would leave it without one), or while a
 * run in flight will resume it or one of its descendants with its outcome (callback mode). Newest first,
 * so a parent is deleted only in the batch that deletes its descendants.
 * @returns how many were deleted, and whether more match (prune again for the next ones).
 */
export async function pruneSessions(sql: SqlClient, filter: PruneFilter, max: number): Promise<{ deleted: number; more: boolean }> {
  if (filter.statuses.length === 0) return { deleted: 0, more: false };
  const statuses = placeholders(filter.statuses.length);
  const matches = `status IN (${statuses}) AND ended_at IS NOT NULL AND ended_at < ?`;
  const matchParams = [...filter.statuses, filter.endedBefore];
  return sql.transaction(async (tx) => {
    const rows = await tx.query<{ id: string }>(
      `WITH RECURSIVE kept (id) AS (
         SELECT id FROM (
           SELECT parent_session_id AS id FROM sessions WHERE parent_session_id IS NOT NULL AND NOT (${matches})
           UNION
           SELECT callback_session_id AS id FROM runs
             WHERE callback_session_id IS NOT NULL AND status IN ('queued', 'claimed', 'running', 'lost')
         ) seeds
         UNION
         SELECT s.parent_session_id FROM sessions s JOIN kept ON s.id = kept.id WHERE s.parent_session_id IS NOT NULL
       )
       SELECT id FROM sessions
       WHERE ${matches} AND id NOT IN (SELECT id FROM kept)
       ORDER BY seq DESC
       LIMIT ?${tx.forUpdate()}`,
      [...matchParams, ...matchParams, max + 1],
    );
    const ids = rows.slice(0, max).map((r) => r.id);
    await removeSessions(tx, ids);
    return { deleted: ids.length, more: rows.length > max };
  });
}
