import type { SqlClient } from '../sql-client.js';

/**
 * A session's events are numbered 1, 2, 3, … in the order they are stored; the session keeps no counter
 * (a counter would be one more write of the session row per event batch). The next numbers come from the
 * highest `seq` stored, read by the index (events' primary key is `(session_id, seq)`).
 *
 * SQLite runs one write transaction at a time, so the highest seq cannot change under a reader. On
 * PostgreSQL every transaction that stores events of a session first locks the session row (`FOR NO KEY
 * UPDATE`, which blocks no insert of a run or event referencing it) and only then reads the highest seq,
 * in a later statement so its snapshot sees what the lock's previous holder committed (a statement of
 * its own, or the UPDATE of a run's status change: lastEventSeqWanted). The transaction then remembers its
 * last number (tx.memo) and asks no more. The claim statement, which stores
 * its `claimed` event in one statement, takes the same lock and retries on the rare duplicate key (see
 * claim-next-run.ts).
 * @returns the first of `count` numbers now reserved for this transaction's events of the session.
 */
export async function allocateEventSeqs(tx: SqlClient, sessionId: string, count: number): Promise<number> {
  const key = `event_seq:${sessionId}`;
  let last = tx.memo?.get(key);
  if (last === undefined) {
    if (tx.dialect === 'postgres' && !holdsSessionLock(tx, sessionId)) {
      await tx.query(`SELECT 1 AS locked FROM sessions WHERE id = ? FOR NO KEY UPDATE`, [sessionId]);
    }
    last = await lastEventSeq(tx, sessionId);
  }
  tx.memo?.set(key, last + count);
  return last + 1;
}

/**
 * This transaction locked the session's row (`FOR NO KEY UPDATE`) in a statement of its own that read
 * nothing of its events (getRunForUpdateWithSession): allocateEventSeqs reads the highest seq without
 * locking again, in a later statement, whose snapshot sees what the lock's previous holder committed.
 */
export function sessionLocked(tx: SqlClient, sessionId: string): void {
  tx.memo?.set(`locked:${sessionId}`, 0);
}

/** Whether this transaction took the session's row lock in an earlier statement (sessionLocked). */
export function holdsSessionLock(tx: SqlClient, sessionId: string): boolean {
  return tx.memo?.get(`locked:${sessionId}`) !== undefined;
}

/**
 * The session's highest event seq, as an expression a statement changing one of its runs (table `runs`) can
 * return: the run's change and the seq read in one round trip (transitionRun).
 */
export const SESSION_LAST_EVENT_SEQ = '(SELECT COALESCE(MAX(events.seq), 0) FROM events WHERE events.session_id = runs.session_id)';

/**
 * Whether a statement of this transaction may read the session's highest seq for allocateEventSeqs: on
 * PostgreSQL once the session's lock was taken by an earlier statement (sessionLocked; a later one's
 * snapshot sees what the lock's previous holder committed) and before the seq was read or reserved.
 * Elsewhere allocateEventSeqs reads it itself when needed.
 */
export function lastEventSeqWanted(tx: SqlClient, sessionId: string): boolean {
  return tx.dialect === 'postgres' && holdsSessionLock(tx, sessionId) && tx.memo?.get(`event_seq:${sessionId}`) === undefined;
}

/** The highest seq a statement read after lastEventSeqWanted said yes: the next allocation continues from it without asking. */
export function lastEventSeqRead(tx: SqlClient, sessionId: string, last: number): void {
  tx.memo?.set(`event_seq:${sessionId}`, last);
}

/** A session this transaction created has no events yet: its first seq needs no lock nor lookup. */
export function noEventsYet(tx: SqlClient, sessionId: string): void {
  tx.memo?.set(`event_seq:${sessionId}`, 0);
}

/** The highest event seq stored for a session (0 when it has none). */
export async function lastEventSeq(sql: SqlClient, sessionId: string): Promise<number> {
  const [row] = await sql.query<{ seq: unknown }>('SELECT COALESCE(MAX(seq), 0) AS seq FROM events WHERE session_id = ?', [sessionId]);
  return Number(row?.seq ?? 0);
}
