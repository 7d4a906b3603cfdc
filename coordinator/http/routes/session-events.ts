import type { Hono } from 'hono';
import { ApiError } from '../../api-error.js';
import { DEFAULT_PAGE_LIMIT } from '../../../protocol/limits.js';
import { frameSseComment, frameSseMessage, parseLastEventId } from '../../events/sse-frame.js';
import { sessionTopic, waitForSignal } from '../../events/wake-hub.js';
import { NotFoundError } from '../../store/store-errors.js';
import type { CoordinatorContext } from '../context.js';
import { renderEvent } from '../render.js';
import { EventsQuerySchema } from '../../../protocol/events.js';
import { readQuery } from '../validate.js';

/** Events per SSE read from the store. */
const SSE_PAGE = 500;

/** `GET /v1/sessions/:id/events`: a JSON page after `after`, or with `Accept: text/event-stream` a live stream. */
export function mountSessionEventRoutes(app: Hono, ctx: CoordinatorContext): void {
  app.get('/v1/sessions/:id/events', async (c) => {
    const id = c.req.param('id');
    const q = readQuery(c, EventsQuerySchema);
    if ((await ctx.store.getSession(id)) === null) throw new NotFoundError('session', id);
    if (!(c.req.header('accept') ?? '').includes('text/event-stream')) {
      const limit = q.limit ?? DEFAULT_PAGE_LIMIT;
      const events = await ctx.store.listEvents(id, q.after ?? 0, limit);
      const last = events[events.length - 1];
      return c.json({ events: events.map(renderEvent), next_after: last === undefined ? (q.after ?? 0) : last.seq });
    }
    const header = c.req.header('last-event-id');
    const fromHeader = parseLastEventId(header);
    if (header !== undefined && fromHeader === null) {
      throw new ApiError(400, 'invalid_request', 'Last-Event-ID: must be an event sequence number', {
        issues: [{ path: 'Last-Event-ID', message: 'must be an event sequence number' }],
      });
    }
    return new Response(eventStream(ctx, id, fromHeader ?? q.after ?? 0, c.req.raw.signal), {
      headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' },
    });
  });
}

/**
 * A pull-driven SSE body: each pull sends the next stored events (so a slow client only slows itself),
 * or waits for new ones and sends a keep-alive comment when none came for `sseKeepAliveMs`.
 */
function eventStream(ctx: CoordinatorContext, sessionId: string, after: number, signal: AbortSignal): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let last = after;
  const sendPage = async (controller: ReadableStreamDefaultController<Uint8Array>): Promise<boolean> => {
    const events = await ctx.store.listEvents(sessionId, last, SSE_PAGE);
    if (events.length === 0) return false;
    let text = '';
    for (const e of events) text += frameSseMessage({ id: String(e.seq), data: JSON.stringify(renderEvent(e)) });
    last = events[events.length - 1]!.seq;
    controller.enqueue(encoder.encode(text));
    return true;
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`retry: 1000\n${frameSseComment('connected')}`));
    },
    async pull(controller) {
      // Loop until something is enqueued: a pull that enqueues nothing may not be called again.
      for (;;) {
        if (signal.aborted) return controller.close();
        if (await sendPage(controller)) return;
        const wait = waitForSignal(ctx.hub, [sessionTopic(sessionId)], ctx.timings.sseKeepAliveMs, signal);
        if (await sendPage(controller)) return wait.cancel();
        const woken = await wait.promise;
        if (signal.aborted) return controller.close();
        if (woken === null) return controller.enqueue(encoder.encode(frameSseComment('keep-alive')));
      }
    },
  });
}
