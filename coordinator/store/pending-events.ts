/** An `events` row in column order: session_id, seq, run_id, run_seq, type, data (JSON text), created_at. */
export type EventRow = [sessionId: string, seq: number, runId: string | null, runSeq: number, type: string, data: string, createdAt: number];

/** Rows per INSERT statement (7 parameters each; well under both databases' limits). */
export const EVENT_ROWS_PER_INSERT = 200;

/** The INSERTs that store `rows`: one statement per EVENT_ROWS_PER_INSERT rows. Pure. */
export function eventInserts(rows: readonly EventRow[]): Array<{ text: string; params: unknown[] }> {
  const out: Array<{ text: string; params: unknown[] }> = [];
  for (let i = 0; i < rows.length; i += EVENT_ROWS_PER_INSERT) {
    const chunk = rows.slice(i, i + EVENT_ROWS_PER_INSERT);
    const values = chunk.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ');
    out.push({ text: `INSERT INTO events (session_id, seq, run_id, run_seq, type, data, created_at) VALUES ${values}`, params: chunk.flat() });
  }
  return out;
}

/** Does a statement name the `events` table (so rows pending for it must be stored before it runs)? Pure. */
export function touchesEvents(sql: string): boolean {
  return /\bevents\b/i.test(sql);
}

/**
 * A PostgreSQL transaction's event rows not yet sent: the `run_status` event of a run's change and the
 * executor events of the same report go in one INSERT instead of one each (a statement is a round trip
 * there). Like an ORM's autoflush, the rows are written before the next statement that names `events`
 * (so the transaction reads what it stored) and before COMMIT; nothing is lost or reordered: seqs were
 * allocated when the rows were added.
 */
export class PendingEvents {
  #rows: EventRow[] = [];

  get size(): number {
    return this.#rows.length;
  }

  add(rows: readonly EventRow[]): void {
    this.#rows.push(...rows);
  }

  /** The rows to write now, as INSERT statements; the buffer is empty after. */
  take(): Array<{ text: string; params: unknown[] }> {
    const rows = this.#rows;
    this.#rows = [];
    return eventInserts(rows);
  }
}
