import type { Hono } from 'hono';
import type { NotificationPage, NotificationView } from '../../../protocol/notifications.js';
import { NotificationsQuerySchema } from '../../../protocol/notifications.js';
import type { NotificationRecord } from '../../store/store.js';
import type { CoordinatorContext } from '../context.js';
import { readQuery } from '../validate.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** An outbox row as the API shows it: the target by name, never its URL, token or the payload. */
export function renderNotification(n: NotificationRecord): NotificationView {
  return {
    id: n.id,
    target: n.target,
    recipient: n.recipient,
    event: n.event,
    status: n.status,
    attempts: n.attempts,
    session_id: n.session_id,
    last_error: n.last_error,
    created_at: iso(n.created_at)!,
    next_attempt_at: n.status === 'pending' ? iso(n.next_attempt_at) : null,
    delivered_at: iso(n.delivered_at),
  };
}

/** `GET /v1/notifications?status=&limit=&cursor=`: the outbox, newest first (API token). */
export function mountNotificationRoutes(app: Hono, ctx: CoordinatorContext): void {
  app.get('/v1/notifications', async (c) => {
    const query = readQuery(c, NotificationsQuerySchema);
    const page = await ctx.store.listNotifications({ status: query.status }, { limit: query.limit, before: query.cursor === undefined ? null : Number(query.cursor) });
    const body: NotificationPage = { notifications: page.notifications.map(renderNotification), next_cursor: page.next === null ? null : String(page.next) };
    return c.json(body);
  });
}
