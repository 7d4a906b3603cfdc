import type { Hono } from 'hono';
import { frameSseComment, frameSseMessage } from '../../events/sse-frame.js';
import { Nudge } from '../../events/nudge.js';
import { CHANGES_TOPIC } from '../../events/wake-hub.js';
import type { StoreChange } from '../../store/store-changes.js';
import type { ChangeMessage } from '../../../protocol/changes.js';
import type { CoordinatorContext } from '../context.js';

const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' };

/** Ids kept per kind in one message: past it the message says `more: true` and a reader reads everything again. */
const MAX_IDS = 500;
/**
 * At most one message per this interval per stream: under a steady stream of changes (a busy fleet) a
 * reader gets ten summaries a second, not one per transaction. Its first change after a quiet spell goes
 * at once.
 */
export const CHANGES_INTERVAL_MS = 100;

/** What changed since the last message, by kind. */
class ChangeSet {
  sessions = new Set<string>();
  trees = new Set<string>();
  workflowRuns = new Set<string>();
  questions = new Set<string>();
  more = false;

  add(changes: readonly StoreChange[]): void {
    for (const change of changes) {
      if (change.kind === 'events') this.#put(this.sessions, change.session_id);
      else if (change.kind === 'tree') this.#put(this.trees, change.root_session_id);
      else if (change.kind === 'workflow') this.#put(this.workflowRuns, change.workflow_run_id);
      else if (change.kind === 'question') {
        this.#put(this.questions, change.question_id);
        this.#put(this.sessions, change.session_id);
      }
    }
  }

  #put(set: Set<string>, id: string): void {
    if (set.size < MAX_IDS) set.add(id);
    else this.more = true;
  }

  get empty(): boolean {
    return this.sessions.size + this.trees.size + this.workflowRuns.size + this.questions.size === 0 && !this.more;
  }

  toJSON(): ChangeMessage {
    return { sessions: [...this.sessions], trees: [...this.trees], workflow_runs: [...this.workflowRuns], questions: [...this.questions], more: this.more };
  }
}

/**
 * `GET /v1/changes` (SSE): what changed in the store, summed up, as `event: change` messages
 * `{sessions, trees, workflow_runs, questions, more}`: sessions with new events (a status change is one),
 * trees a session joined, workflow runs that moved, questions asked or closed. Ids only: a reader reads
 * what it shows again through the API. A burst of changes makes one message (the stream is pull-driven,
 * and sends at most one message per CHANGES_INTERVAL_MS);
 * `more: true` means the ids were cut at 500 per kind. Live only: no history, no resume cursor (a
 * reconnecting reader reads its view again). The console's lists follow it.
 */
export function mountChangeRoutes(app: Hono, ctx: CoordinatorContext): void {
  app.get('/v1/changes', (c) => {
    const signal = c.req.raw.signal;
    const encoder = new TextEncoder();
    const nudge = new Nudge();
    let pending = new ChangeSet();
    let lastSent = 0;
    const unsubscribe = ctx.hub.subscribe([CHANGES_TOPIC], (_topic, payload) => {
      pending.add(payload as readonly StoreChange[]);
      if (!pending.empty) nudge.wake();
    });
    signal.addEventListener('abort', () => (unsubscribe(), nudge.wake()), { once: true });
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode(`retry: 1000\n${frameSseComment('connected')}`));
      },
      async pull(controller) {
        for (;;) {
          if (signal.aborted) return controller.close();
          if (!pending.empty) {
            const wait = lastSent + CHANGES_INTERVAL_MS - Date.now();
            if (wait > 0) {
              // What comes in meanwhile joins this message.
              await new Promise<void>((resolve) => {
                const timer = setTimeout(resolve, wait);
                signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
              });
              if (signal.aborted) return controller.close();
            }
            lastSent = Date.now();
            const message = pending;
            pending = new ChangeSet();
            return controller.enqueue(encoder.encode(frameSseMessage({ event: 'change', data: JSON.stringify(message) })));
          }
          if (!(await nudge.wait(ctx.timings.sseKeepAliveMs)) && !signal.aborted) return controller.enqueue(encoder.encode(frameSseComment('keep-alive')));
        }
      },
      cancel() {
        unsubscribe();
      },
    });
    return new Response(body, { headers: SSE_HEADERS });
  });
}
