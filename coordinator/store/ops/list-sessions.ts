import type { SessionStatus } from '../../../protocol/statuses.js';
import type { SessionRecord } from '../../types.js';
import { SESSION_COLUMNS, toSession } from '../rows.js';
import type { SqlClient } from '../sql-client.js';

export interface SessionFilter {
  status?: SessionStatus | undefined;
  parent_session_id?: string | undefined;
  root_session_id?: string | undefined;
  agent?: string | undefined;
}

/**
 * A page of sessions, newest first. `before` is the position (sessions.seq) the previous page ended at.
 * @returns the sessions and, when more exist, the position to continue before.
 */
export async function listSessions(
  sql: SqlClient,
  filter: SessionFilter,
  page: { limit: number; before: number | null },
): Promise<{ sessions: SessionRecord[]; next: number | null }> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.status !== undefined) (where.push('status = ?'), params.push(filter.status));
  if (filter.parent_session_id !== undefined) (where.push('parent_session_id = ?'), params.push(filter.parent_session_id));
  if (filter.root_session_id !== undefined) (where.push('root_session_id = ?'), params.push(filter.root_session_id));
  if (filter.agent !== undefined) (where.push('agent = ?'), params.push(filter.agent));
  if (page.before !== null) (where.push('seq < ?'), params.push(page.before));
  const clause = where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`;
  const rows = await sql.query(`SELECT ${SESSION_COLUMNS} FROM sessions ${clause} ORDER BY seq DESC LIMIT ?`, [...params, page.limit + 1]);
  const more = rows.length > page.limit;
  const kept = rows.slice(0, page.limit);
  const last = kept[kept.length - 1];
  return { sessions: kept.map(toSession), next: more && last !== undefined ? Number(last.seq) : null };
}
