import type { EventRecord } from '../../types.js';
import { toEvent } from '../rows.js';
import type { SqlClient } from '../sql-client.js';

/** A session's events with `seq` greater than `after`, in order, at most `limit`. */
export async function listEvents(sql: SqlClient, sessionId: string, after: number, limit: number): Promise<EventRecord[]> {
  const rows = await sql.query('SELECT * FROM events WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?', [sessionId, after, limit]);
  return rows.map(toEvent);
}
