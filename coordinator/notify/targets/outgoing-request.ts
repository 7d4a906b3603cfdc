/** An HTTP request a target sends for one outbox row: always a JSON POST. */
export interface OutgoingRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** What each target builds its request from: the row, and the body's fields. */
export interface DeliveryInput {
  id: string;
  event: import('../../../protocol/notifications.js').NotificationEvent;
  occurredAt: number;
  data: Record<string, unknown>;
  /** Telegram: the chat. */
  recipient: string | null;
}

export const USER_AGENT = 'agent-runner-notify/1';
