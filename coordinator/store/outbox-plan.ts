import type { NotificationEvent } from '../../protocol/notifications.js';

/** One outbox row an event makes: its target, and the Telegram chat it goes to (null for other targets). */
export interface OutboxRoute {
  target: string;
  recipient: string | null;
  /** Session events only for sessions of these agents; null for all. */
  agents: readonly string[] | null;
}

/**
 * Which events this coordinator's notification config subscribes to, read by the store operations that
 * cause them so they enqueue in their own transaction. Decided once per coordinator from its config: with
 * no config the store holds none, and the hot path runs no extra statement.
 */
export interface OutboxPlan {
  /** The rows `event` makes (empty when no target wants it). */
  routes(event: NotificationEvent): readonly OutboxRoute[];
}
