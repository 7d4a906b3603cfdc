import { describe, expect, it } from 'vitest';
import { EVENT_ROWS_PER_INSERT, type EventRow, eventInserts, PendingEvents, touchesEvents } from './pending-events.js';

const row = (seq: number): EventRow => ['ses_1', seq, null, seq, 'message', '{}', 1];

describe('pending event rows', () => {
  it('name the statements that must see them: the events table, not a column or another table with the word', () => {
    expect(touchesEvents('SELECT COALESCE(MAX(seq), 0) AS seq FROM events WHERE session_id = ?')).toBe(true);
    expect(touchesEvents('SELECT sessions.*, (SELECT MAX(events.seq) FROM events WHERE events.session_id = sessions.id) FROM sessions')).toBe(true);
    expect(touchesEvents('DELETE FROM Events WHERE session_id IN (?)')).toBe(true);
    expect(touchesEvents('UPDATE runs SET event_seq = ? WHERE id = ?')).toBe(false);
    expect(touchesEvents('SELECT * FROM workflow_events')).toBe(false);
    expect(touchesEvents("UPDATE sessions SET status = 'running' WHERE id = ?")).toBe(false);
  });

  it('go out in order, at most EVENT_ROWS_PER_INSERT rows per INSERT, and the buffer is empty after', () => {
    const pending = new PendingEvents();
    pending.add(Array.from({ length: EVENT_ROWS_PER_INSERT + 1 }, (_, i) => row(i + 1)));
    expect(pending.size).toBe(EVENT_ROWS_PER_INSERT + 1);
    const inserts = pending.take();
    expect(pending.size).toBe(0);
    expect(inserts).toHaveLength(2);
    expect(inserts[0]!.params).toHaveLength(7 * EVENT_ROWS_PER_INSERT);
    expect(inserts[1]!.params).toEqual(row(EVENT_ROWS_PER_INSERT + 1));
    expect(inserts[1]!.text).toBe('INSERT INTO events (session_id, seq, run_id, run_seq, type, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    expect(eventInserts([])).toEqual([]);
  });
});
