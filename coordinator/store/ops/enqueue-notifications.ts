import type { NotificationEvent } from '../../../protocol/notifications.js';
import { newId } from '../../ids.js';
import type { SqlClient } from '../sql-client.js';

/** One event instance to notify about. */
export interface NotificationToEnqueue {
  event: NotificationEvent;
  /** Names the instance (`session.ended:<run id>`): enqueuing it again for the same target and recipient stores nothing. */
  dedupeKey: string;
  /** The body's `data`: what happened, never a secret of the runner. */
  data: Record<string, unknown>;
  /** When it happened (ms since the epoch). */
  occurredAt: number;
  /** The session it is about (the agent filter reads its agent), if any. */
  session?: { id: string; agent: string | null; root_session_id: string | null } | null;
}

/** Whether this store's notification config wants `event` at all (no statement is run to know). */
export function wantsNotification(sql: SqlClient, event: NotificationEvent): boolean {
  return (sql.hooks.outbox?.routes(event).length ?? 0) > 0;
}

/**
 * Put one event instance in the outbox for every target (and Telegram chat) that subscribes to it: one
 * INSERT, in the caller's transaction when it is in one (so the notification is stored if and only if
 * what caused it is). No target wants it: no statement at all.
 * This is the hook questions and approvals call (`question.asked`, `approval.needed`).
 * @returns how many rows were stored (0 for an instance already there).
 */
export async function enqueueNotification(tx: SqlClient, n: NotificationToEnqueue, now: number): Promise<number> {
  return enqueueNotifications(tx, [n], now);
}

/** enqueueNotification for several event instances, in one INSERT. */
export async function enqueueNotifications(tx: SqlClient, list: readonly NotificationToEnqueue[], now: number): Promise<number> {
  const params: unknown[] = [];
  let rows = 0;
  for (const n of list) {
    const agent = n.session?.agent ?? null;
    const routes = (tx.hooks.outbox?.routes(n.event) ?? []).filter((r) => r.agents === null || (agent !== null && r.agents.includes(agent)));
    if (routes.length === 0) continue;
    const payload = JSON.stringify(n.data);
    for (const route of routes) {
      params.push(newId('ntf'), route.target, route.recipient ?? '', n.event, n.dedupeKey, n.session?.id ?? null, agent, n.session?.root_session_id ?? null, payload, now, n.occurredAt, now, now);
      rows += 1;
    }
  }
  if (rows === 0) return 0;
  const row = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
  const stored = await tx.query(
    `INSERT INTO notifications (id, target, recipient, event, dedupe_key, session_id, agent, root_session_id, payload, next_attempt_at, occurred_at, created_at, updated_at)
     VALUES ${Array.from({ length: rows }, () => row).join(', ')}
     ON CONFLICT (target, recipient, dedupe_key) DO NOTHING RETURNING seq`,
    params,
  );
  return stored.length;
}
