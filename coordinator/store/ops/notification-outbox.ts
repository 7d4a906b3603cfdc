import { type NotificationEvent } from '../../../protocol/notifications.js';
import type { SqlClient } from '../sql-client.js';

/** An outbox row as the delivery worker and the API read it. */
export interface NotificationRecord {
  seq: number;
  id: string;
  target: string;
  recipient: string | null;
  event: NotificationEvent;
  session_id: string | null;
  agent: string | null;
  root_session_id: string | null;
  data: Record<string, unknown>;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  occurred_at: number;
  created_at: number;
  delivered_at: number | null;
}

type Row = Record<string, unknown>;

function toNotification(row: Row): NotificationRecord {
  return {
    seq: Number(row.seq),
    id: String(row.id),
    target: String(row.target),
    recipient: row.recipient === '' || row.recipient === null ? null : String(row.recipient),
    event: String(row.event) as NotificationEvent,
    session_id: (row.session_id as string | null) ?? null,
    agent: (row.agent as string | null) ?? null,
    root_session_id: (row.root_session_id as string | null) ?? null,
    data: JSON.parse(String(row.payload)) as Record<string, unknown>,
    status: String(row.status) as NotificationRecord['status'],
    attempts: Number(row.attempts),
    next_attempt_at: Number(row.next_attempt_at),
    last_error: (row.last_error as string | null) ?? null,
    occurred_at: Number(row.occurred_at),
    created_at: Number(row.created_at),
    delivered_at: row.delivered_at === null || row.delivered_at === undefined ? null : Number(row.delivered_at),
  };
}

/**
 * Claim up to `max` due pending rows of one target for delivery, in one statement: each is pushed `leaseMs`
 * ahead (due again then if this worker dies before it settles it) and its attempt counted. PostgreSQL skips
 * rows another replica is claiming (FOR UPDATE SKIP LOCKED), so replicas share the work and never claim one
 * row twice within a lease.
 */
export async function claimNotifications(sql: SqlClient, target: string, now: number, max: number, leaseMs: number): Promise<NotificationRecord[]> {
  const rows = await sql.query(
    `UPDATE notifications SET attempts = attempts + 1, next_attempt_at = ?, updated_at = ?
     WHERE seq IN (
       SELECT seq FROM notifications WHERE target = ? AND status = 'pending' AND next_attempt_at <= ?
       ORDER BY next_attempt_at, seq LIMIT ?${sql.forUpdate({ skipLocked: true })}
     ) RETURNING *`,
    [now + leaseMs, now, target, now, max],
  );
  return rows.map(toNotification).sort((a, b) => a.seq - b.seq);
}

/** How a delivery attempt ended. */
export type DeliveryResult = { delivered: true } | { delivered: false; error: string; retryAt: number | null };

/**
 * Settle a claimed row: delivered, or failed with a retry at `retryAt` (null: no attempts left, `failed`).
 * Only the claim that made `attempts` what it is settles it (a row re-claimed after its lease ran out is
 * the new claim's). @returns whether it was settled.
 */
export async function settleNotification(sql: SqlClient, claimed: Pick<NotificationRecord, 'seq' | 'attempts'>, result: DeliveryResult, now: number): Promise<boolean> {
  const rows = result.delivered
    ? await sql.query(
        `UPDATE notifications SET status = 'delivered', delivered_at = ?, last_error = NULL, updated_at = ?
         WHERE seq = ? AND status = 'pending' AND attempts = ? RETURNING seq`,
        [now, now, claimed.seq, claimed.attempts],
      )
    : await sql.query(
        `UPDATE notifications SET status = ?, next_attempt_at = ?, last_error = ?, updated_at = ?
         WHERE seq = ? AND status = 'pending' AND attempts = ? RETURNING seq`,
        [result.retryAt === null ? 'failed' : 'pending', result.retryAt ?? now, result.error, now, claimed.seq, claimed.attempts],
      );
  return rows.length > 0;
}

/**
 * Mark claimed rows delivered, in one statement (a worker's deliveries of one turn). Not guarded by the
 * claim's attempt: a row delivered is delivered, whichever claim delivered it.
 */
export async function markNotificationsDelivered(sql: SqlClient, seqs: readonly number[], now: number): Promise<void> {
  if (seqs.length === 0) return;
  await sql.query(
    `UPDATE notifications SET status = 'delivered', delivered_at = ?, last_error = NULL, updated_at = ?
     WHERE seq IN (${seqs.map(() => '?').join(', ')}) AND status = 'pending'`,
    [now, now, ...seqs],
  );
}

/**
 * Delete up to `max` delivered or failed rows settled before `before` (the outbox keeps NOTIFY_RETENTION_MS
 * of history). @returns how many were deleted.
 */
export async function pruneNotifications(sql: SqlClient, before: number, max: number): Promise<number> {
  const rows = await sql.query(
    `DELETE FROM notifications WHERE seq IN (
       SELECT seq FROM notifications WHERE status IN ('delivered', 'failed') AND updated_at < ? ORDER BY seq LIMIT ?
     ) RETURNING seq`,
    [before, max],
  );
  return rows.length;
}

/** A page of the outbox, newest first (`before`: the seq to page below). */
export async function listNotifications(
  sql: SqlClient,
  filter: { status?: NotificationRecord['status'] | undefined },
  page: { limit: number; before: number | null },
): Promise<{ notifications: NotificationRecord[]; next: number | null }> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.status !== undefined) (where.push('status = ?'), params.push(filter.status));
  if (page.before !== null) (where.push('seq < ?'), params.push(page.before));
  const rows = await sql.query(
    `SELECT * FROM notifications${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`,
    [...params, page.limit + 1],
  );
  const notifications = rows.slice(0, page.limit).map(toNotification);
  return { notifications, next: rows.length > page.limit ? notifications[notifications.length - 1]!.seq : null };
}
