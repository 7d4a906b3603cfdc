import type { Hono } from 'hono';
import { z } from 'zod';
import type { EventPageSchema } from '../../../protocol/events.js';
import { fragment, type ConsoleDeps, type ConsoleEnv } from '../console-page.js';
import { renderEvents } from '../render-events.js';

type EventPage = z.infer<typeof EventPageSchema>;

const QuerySchema = z.object({
  after: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).catch(0),
  limit: z.coerce.number().int().min(1).max(1000).catch(500),
});

/**
 * `GET /sessions/:id/events?after=N`: the session's events after seq N (at most `limit`, 500 by default)
 * as the event feed's HTML (render-events.ts), read from `GET /v1/sessions/:id/events`. The header
 * `x-next-after` is the seq to ask after next; `x-more: 1` says a full page came (ask again at once).
 * event-feed.js appends these as the session's SSE stream says new events were stored.
 */
export function mountSessionEventsFragment(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  app.get('/sessions/:id/events', async (c) => {
    const q = QuerySchema.parse({ after: c.req.query('after'), limit: c.req.query('limit') });
    const id = encodeURIComponent(c.req.param('id'));
    const page = await deps.api<EventPage>(`/v1/sessions/${id}/events?after=${q.after}&limit=${q.limit}`);
    const response = await fragment(c, renderEvents(page.events));
    response.headers.set('x-next-after', String(page.next_after));
    response.headers.set('x-more', page.events.length === q.limit ? '1' : '0');
    return response;
  });
}
