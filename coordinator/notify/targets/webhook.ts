import type { NotificationBody } from '../../../protocol/notifications.js';
import { SIGNATURE_HEADER, signWebhook } from '../sign-webhook.js';
import { type DeliveryInput, type OutgoingRequest, USER_AGENT } from './outgoing-request.js';

/**
 * The generic webhook: body `{id, event, occurred_at, data}`, headers naming the event and the delivery
 * (the idempotency key, the same on every retry) and, with a secret, its signature. Pure but for the clock.
 */
export function webhookRequest(url: string, secret: string | null, n: DeliveryInput, nowS = Math.floor(Date.now() / 1000)): OutgoingRequest {
  const payload: NotificationBody = { id: n.id, event: n.event, occurred_at: new Date(n.occurredAt).toISOString(), data: n.data };
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'X-Agent-Runner-Event': n.event,
    'X-Agent-Runner-Delivery': n.id,
  };
  if (secret !== null) headers[SIGNATURE_HEADER] = signWebhook(secret, body, nowS);
  return { url, headers, body };
}
