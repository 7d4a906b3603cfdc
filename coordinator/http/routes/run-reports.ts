import type { Hono } from 'hono';
import { sessionTopic, TOPIC_RUNS } from '../../events/wake-hub.js';
import type { RunRecord } from '../../types.js';
import type { CoordinatorContext } from '../context.js';
import { requireRunner } from '../auth.js';
import { renderRun } from '../render.js';
import { EventBatchSchema, RunFinishedSchema, RunStartedSchema } from '../schemas.js';
import { readBody } from '../validate.js';

/**
 * Wake runners when a finished run queued a callback resume: of the session it calls back, or of its
 * own session (outcomes that waited while it ran).
 */
async function wakeForCallbacks(ctx: CoordinatorContext, run: RunRecord): Promise<void> {
  if (run.callback_session_id !== null) {
    ctx.wake(TOPIC_RUNS);
    ctx.wake(sessionTopic(run.callback_session_id));
    return;
  }
  if (run.status === 'succeeded' && (await ctx.store.getSession(run.session_id))?.last_run_id !== run.id) ctx.wake(TOPIC_RUNS);
}

/** `/v1/runs/:id/{started,events,finished}`: what the holding runner reports (403 for anyone else). */
export function mountRunReportRoutes(app: Hono, ctx: CoordinatorContext): void {
  const { store, timings } = ctx;

  app.post('/v1/runs/:id/started', async (c) => {
    const runner = await requireRunner(ctx, c);
    await readBody(c, RunStartedSchema, true);
    const run = await store.startRun(c.req.param('id'), runner.id, Date.now());
    ctx.wake(sessionTopic(run.session_id));
    return c.json(renderRun(run));
  });

  app.post('/v1/runs/:id/events', async (c) => {
    const runner = await requireRunner(ctx, c);
    const body = await readBody(c, EventBatchSchema);
    const result = await store.appendEvents(c.req.param('id'), runner.id, body.events, Date.now());
    if (result.accepted > 0) ctx.wake(sessionTopic(result.session_id));
    return c.json(result);
  });

  app.post('/v1/runs/:id/finished', async (c) => {
    const runner = await requireRunner(ctx, c);
    const outcome = await readBody(c, RunFinishedSchema);
    const run = await store.finishRun(c.req.param('id'), runner.id, outcome, Date.now(), {
      baseMs: timings.backoffBaseMs,
      maxMs: timings.backoffMaxMs,
    });
    if (run.status === 'queued') {
      const delay = Math.max(0, run.available_at - Date.now());
      setTimeout(() => ctx.wake(TOPIC_RUNS), delay).unref();
    }
    ctx.wake(sessionTopic(run.session_id));
    await wakeForCallbacks(ctx, run);
    ctx.logger.debug({ run: run.id, status: run.status, kind: outcome.kind }, 'run finished');
    return c.json(renderRun(run));
  });
}
