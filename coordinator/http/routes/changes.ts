import type { Hono } from 'hono';
import { READ_EVERYTHING_AGAIN, type FeedChunk } from '../../events/changes-feed.js';
import { frameSseComment } from '../../events/sse-frame.js';
import type { CoordinatorContext } from '../context.js';

const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' };

const CONNECTED = new TextEncoder().encode(`retry: 1000\n${frameSseComment('connected')}`);

/**
 * `GET /v1/changes` (SSE): what changed in the store, summed up, as `event: change` messages
 * `{sessions, trees, workflow_runs, questions, more}`: sessions with new events (a status change is one),
 * trees a session joined, workflow runs that moved, questions asked or closed. Ids only: a reader reads
 * what it shows again through the API. A burst of changes makes one message, at most one per
 * CHANGES_INTERVAL_MS, the same for every open stream (changes-feed.ts); `more: true` means the ids were
 * cut at 500 per kind, or that this reader fell behind (its connection did not take the messages as
 * fast as they came) and missed some: either way it reads everything again. Live only: no history, no
 * resume cursor (a reconnecting reader reads its view again). The console's lists follow it.
 */
export function mountChangeRoutes(app: Hono, ctx: CoordinatorContext): void {
  app.get('/v1/changes', (c) => {
    const signal = c.req.raw.signal;
    let unfollow = () => {};
    // Messages wait in the stream's queue (one) while the connection drains; past it, what this reader
    // missed is sent as one "read everything again" once it catches up.
    let behind = false;
    const body = new ReadableStream<FeedChunk>(
      {
        start(controller) {
          controller.enqueue(CONNECTED);
          unfollow = ctx.changes.follow((chunk) => {
            if ((controller.desiredSize ?? 0) > 0) controller.enqueue(chunk);
            else behind = true;
          });
          const done = () => {
            unfollow();
            try {
              controller.close();
            } catch {
              // cancelled already
            }
          };
          if (signal.aborted) return done();
          signal.addEventListener('abort', done, { once: true });
        },
        pull(controller) {
          if (!behind) return;
          behind = false;
          controller.enqueue(READ_EVERYTHING_AGAIN);
        },
        cancel() {
          unfollow();
        },
      },
      { highWaterMark: 1 },
    );
    return new Response(body, { headers: SSE_HEADERS });
  });
}
