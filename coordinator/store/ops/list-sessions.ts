import { SESSION_SEARCH_WINDOW } from '../../../protocol/sessions.js';
import type { SessionStatus } from '../../../protocol/statuses.js';
import type { SessionRecord } from '../../types.js';
import { SESSION_COLUMNS, toSession } from '../rows.js';
import type { SqlClient } from '../sql-client.js';

export interface SessionFilter {
  status?: SessionStatus | undefined;
  parent_session_id?: string | undefined;
  root_session_id?: string | undefined;
  agent?: string | undefined;
  executor?: string | undefined;
  /** Text the prompt contains (case-insensitive: ASCII letters on SQLite, all letters on PostgreSQL). */
  prompt_contains?: string | undefined;
}

/** `text` as a LIKE pattern that matches it anywhere, its wildcards taken literally (escape character `\`). */
export const containsPattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * A page of sessions, newest first. `before` is the position (sessions.seq) the previous page ended at.
 * Every filter but `prompt_contains` reads an index (status, parent, root, agent, executor: each with seq).
 * `prompt_contains` is a scan, bounded: one call examines at most `searchWindow` positions back from
 * `before`; when that window holds fewer matches than a page, the page ends there and `next` continues
 * from the window's start (so a page may be short, or empty, and still have a next one).
 * @returns the sessions and, when more may exist, the position to continue before.
 */
export async function listSessions(
  sql: SqlClient,
  filter: SessionFilter,
  page: { limit: number; before: number | null },
  searchWindow = SESSION_SEARCH_WINDOW,
): Promise<{ sessions: SessionRecord[]; next: number | null }> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.status !== undefined) (where.push('status = ?'), params.push(filter.status));
  if (filter.parent_session_id !== undefined) (where.push('parent_session_id = ?'), params.push(filter.parent_session_id));
  if (filter.root_session_id !== undefined) (where.push('root_session_id = ?'), params.push(filter.root_session_id));
  if (filter.agent !== undefined) (where.push('agent = ?'), params.push(filter.agent));
  if (filter.executor !== undefined) (where.push('executor = ?'), params.push(filter.executor));
  if (page.before !== null) (where.push('seq < ?'), params.push(page.before));
  let floor: number | null = null;
  if (filter.prompt_contains !== undefined) {
    const top = page.before ?? Number((await sql.query('SELECT MAX(seq) AS top FROM sessions'))[0]?.top ?? 0) + 1;
    floor = Math.max(1, top - searchWindow);
    where.push('seq >= ?', `prompt ${sql.dialect === 'postgres' ? 'ILIKE' : 'LIKE'} ? ESCAPE '\\'`);
    params.push(floor, containsPattern(filter.prompt_contains));
  }
  const clause = where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`;
  const rows = await sql.query(`SELECT ${SESSION_COLUMNS} FROM sessions ${clause} ORDER BY seq DESC LIMIT ?`, [...params, page.limit + 1]);
  const more = rows.length > page.limit;
  const kept = rows.slice(0, page.limit);
  const last = kept[kept.length - 1];
  if (more && last !== undefined) return { sessions: kept.map(toSession), next: Number(last.seq) };
  // The search window ended before a page was full: continue below it if anything is there.
  const older = floor !== null && floor > 1 && (await sql.query('SELECT seq FROM sessions WHERE seq < ? LIMIT 1', [floor])).length > 0;
  return { sessions: kept.map(toSession), next: older ? floor : null };
}
