import type { Dialect } from '../sql-client.js';

/**
 * The notification outbox: one row per (target, recipient, event), written in the transaction of the change
 * that causes it, delivered at least once by the coordinators' delivery workers.
 *
 * - `id` (`ntf_…`) is the idempotency key sent to the target (X-Agent-Runner-Delivery), the same on each retry.
 * - `dedupe_key` names the event instance (`session.ended:<run id>`, `runner.offline:<runner>:<last seen>`);
 *   with the target and recipient it is unique, so an event seen twice (two replicas sweeping) is stored once.
 * - `target` is the config's target name, never its URL (Slack's and Discord's hold a token); `recipient` the
 *   Telegram chat id (a row per allow-listed chat, so a retry resends only to the chat that failed).
 * - `next_attempt_at` is when the row is due; a worker that claims it pushes it one lease ahead, so a row
 *   whose worker died (kill -9) becomes due again when that lease runs out. `attempts` counts claims.
 * - `status`: pending → delivered | failed (after the target's max_attempts).
 */
export function notificationOutbox(dialect: Dialect): string {
  const SERIAL = dialect === 'sqlite' ? 'INTEGER PRIMARY KEY AUTOINCREMENT' : 'BIGSERIAL PRIMARY KEY';
  return `
CREATE TABLE notifications (
  seq ${SERIAL},
  id TEXT NOT NULL UNIQUE,
  target TEXT NOT NULL,
  recipient TEXT NOT NULL DEFAULT '',
  event TEXT NOT NULL,
  dedupe_key TEXT NOT NULL,
  session_id TEXT,
  agent TEXT,
  root_session_id TEXT,
  payload TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  last_error TEXT,
  occurred_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  delivered_at BIGINT
);
CREATE UNIQUE INDEX notifications_dedupe ON notifications (target, recipient, dedupe_key);
CREATE INDEX notifications_due ON notifications (target, status, next_attempt_at);
CREATE INDEX notifications_status ON notifications (status, seq);
CREATE INDEX notifications_key ON notifications (dedupe_key)
`;
}
