import { type EventRow, eventInserts } from '../pending-events.js';
import type { SqlClient } from '../sql-client.js';

/**
 * Store event rows (seqs already allocated, see event-seqs.ts): inside a PostgreSQL transaction they join
 * the transaction's pending rows, written together before the next statement naming `events` or at commit
 * (pending-events.ts); elsewhere at once.
 */
export async function insertEvents(tx: SqlClient, rows: readonly EventRow[]): Promise<void> {
  if (rows.length === 0) return;
  if (tx.pendingEvents !== null) return tx.pendingEvents.add(rows);
  for (const insert of eventInserts(rows)) await tx.query(insert.text, insert.params);
}
