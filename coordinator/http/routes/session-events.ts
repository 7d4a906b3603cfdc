import type { Hono } from 'hono';
import { ApiError } from '../../api-error.js';
import { DEFAULT_PAGE_LIMIT } from '../../../protocol/limits.js';
import { frameSseComment, frameSseMessage, parseLastEventId } from '../../events/sse-frame.js';
import { Nudge } from '../../events/nudge.js';
import { sessionTopic } from '../../events/wake-hub.js';
import { NotFoundError } from '../../store/store-errors.js';
import type { EventRecord } from '../../types.js';
import type { CoordinatorContext } from '../context.js';
import { renderEvent } from '../render.js';
import { EventsQuerySchema } from '../../../protocol/events.js';
import { readQuery } from '../validate.js';
import { treeEventStream } from '../tree-event-stream.js';

const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' };

/** Events per SSE read from the store. */
const SSE_PAGE = 500;

/** `GET /v1/sessions/:id/events`: a JSON page after `after`, or with `Accept: text/event-stream` a live stream. */
export function mountSessionEventRoutes(app: Hono, ctx: CoordinatorContext): void {
  app.get('/v1/sessions/:id/events', async (c) => {
    const id = c.req.param('id');
    const q = readQuery(c, EventsQuerySchema);
    // A session that has events exists (its first is stored with it): only an empty answer needs a look.
    const mustExist = async (events: readonly EventRecord[]) => {
      if (events.length === 0 && (await ctx.store.getSession(id)) === null) throw new NotFoundError('session', id);
    };
    const wantsStream = (c.req.header('accept') ?? '').includes('text/event-stream');
    if (q.tree === true) {
      if (!wantsStream) {
        throw new ApiError(400, 'invalid_request', "tree: a tree's events are streamed (Accept: text/event-stream); page one session's events without tree", {
          issues: [{ path: 'tree', message: 'needs Accept: text/event-stream' }],
        });
      }
      const top = await ctx.store.getSession(id);
      if (top === null) throw new NotFoundError('session', id);
      return new Response(treeEventStream(ctx, top, c.req.raw.signal).body, { headers: SSE_HEADERS });
    }
    if (!wantsStream) {
      const limit = q.limit ?? DEFAULT_PAGE_LIMIT;
      const events = await ctx.store.listEvents(id, q.after ?? 0, limit);
      await mustExist(events);
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
    // Listening before the first read, so nothing stored in between is missed.
    const stream = eventStream(ctx, id, fromHeader ?? q.after ?? 0, c.req.raw.signal);
    try {
      await mustExist(await stream.first());
    } catch (error) {
      stream.close();
      throw error;
    }
    return new Response(stream.body, { headers: SSE_HEADERS });
  });
}

/**
 * A pull-driven SSE body: each pull sends the next events (so a slow client only slows itself), or waits
 * for new ones and sends a keep-alive comment when none came for `sseKeepAliveMs`. The stream listens
 * to its session's topic for its whole life: events this coordinator stored arrive with the signal and
 * are sent from memory when they continue the stream; otherwise (another replica stored them, a gap,
 * a backlog, a keep-alive interval without news) the next events are read from the store.
 */
function eventStream(ctx: CoordinatorContext, sessionId: string, after: number, signal: AbortSignal) {
  const encoder = new TextEncoder();
  let last = after;
  /** Events heard from this process's store, not sent yet (in order, possibly with gaps or repeats). */
  let heard: EventRecord[] = [];
  /** Something changed that was not heard with its events: the store must be read. */
  let mustRead = true;
  const nudge = new Nudge();
  /** A store read is under way: what is heard meanwhile may be newer than what it reads. */
  let reading = false;
  const unsubscribe = ctx.hub.subscribe([sessionTopic(sessionId)], (_topic, payload) => {
    const events = payload as EventRecord[] | undefined;
    if (events === undefined || reading || heard.length > 1_000) mustRead = true;
    if (events !== undefined) heard.push(...events);
    nudge.wake();
  });
  signal.addEventListener('abort', () => (unsubscribe(), nudge.wake()), { once: true });
  const send = (controller: ReadableStreamDefaultController<Uint8Array>, events: readonly EventRecord[]) => {
    let text = '';
    for (const e of events) text += frameSseMessage({ id: String(e.seq), data: JSON.stringify(renderEvent(e)) });
    last = events[events.length - 1]!.seq;
    controller.enqueue(encoder.encode(text));
  };
  /** The heard events that continue the stream from `last`, without a gap; drops what was sent already. */
  const continuing = (): EventRecord[] => {
    heard = heard.filter((e) => e.seq > last).sort((a, b) => a.seq - b.seq);
    let n = 0;
    while (n < heard.length && heard[n]!.seq === last + 1 + n) n++;
    return heard.splice(0, n);
  };
  const next = async (): Promise<EventRecord[]> => {
    if (!mustRead) {
      const events = continuing();
      if (events.length > 0 || heard.length === 0) return events;
    }
    // Heard events do not continue the stream (or there is more to read): read the store.
    mustRead = false;
    reading = true;
    try {
      const events = await ctx.store.listEvents(sessionId, last, SSE_PAGE);
      if (events.length === SSE_PAGE) mustRead = true; // a backlog: read on
      // Nothing after `last` in the store: what was heard is gone (the session was deleted).
      if (events.length === 0) heard = [];
      return events;
    } finally {
      reading = false;
    }
  };
  /** What the first read found, sent by the first pull. */
  let firstEvents: EventRecord[] = [];
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`retry: 1000\n${frameSseComment('connected')}`));
    },
    async pull(controller) {
      // Loop until something is enqueued: a pull that enqueues nothing may not be called again.
      for (;;) {
        if (signal.aborted) return controller.close();
        const events = firstEvents.length > 0 ? firstEvents : await next();
        firstEvents = [];
        if (events.length > 0) return send(controller, events);
        if (mustRead) continue;
        const woken = await nudge.wait(ctx.timings.sseKeepAliveMs);
        if (signal.aborted) return controller.close();
        if (woken) continue;
        // Quiet for a while: look at the store once in case a wake-up went missing (a replica that had
        // not yet heard of this one skipped its NOTIFY), then keep the connection alive.
        mustRead = true;
        return controller.enqueue(encoder.encode(frameSseComment('keep-alive')));
      }
    },
    cancel() {
      unsubscribe();
    },
  });
  return {
    body,
    /** The first read of the store (listening already); its events are the stream's first. */
    async first(): Promise<EventRecord[]> {
      mustRead = true;
      firstEvents = await next();
      return firstEvents;
    },
    close: unsubscribe,
  };
}
