import type { Dialect } from '../sql-client.js';

/**
 * Sessions no longer count their events: the next event seq is read from the events (see
 * ops/event-seqs.ts), so storing an event batch no longer writes the session row.
 */
export function dropSessionEventSeq(_dialect: Dialect): string {
  return 'ALTER TABLE sessions DROP COLUMN event_seq';
}
