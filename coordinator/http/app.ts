import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError } from '../api-error.js';
import { requireApiAccess } from './auth.js';
import type { CoordinatorContext } from './context.js';
import { toApiError } from './error-status.js';
import { mountAgentRoutes } from './routes/agents.js';
import { mountHealthRoutes } from './routes/health.js';
import { mountNextRunRoute } from './routes/next-run.js';
import { mountRunReportRoutes } from './routes/run-reports.js';
import { mountRunnerRoutes } from './routes/runners.js';
import { mountSessionEventRoutes } from './routes/session-events.js';
import { mountSessionRoutes } from './routes/sessions.js';

/** Paths a runner token guards (checked in their handlers); everything else under /v1 is the user API. */
const RUNNER_PATHS = /^\/v1\/(runners(\/[^/]+(\/heartbeat|\/next-run|\/reports)?)?|runs\/[^/]+\/(started|events|finished))$/;

/** The coordinator's Hono app: body limit, API-token guard, routes, one JSON error handler. */
export function buildApp(ctx: CoordinatorContext): Hono {
  const app = new Hono();
  app.use(
    '*',
    bodyLimit({
      maxSize: ctx.maxBodyBytes,
      onError: () => {
        throw new ApiError(413, 'payload_too_large', `the request body is larger than ${ctx.maxBodyBytes} bytes`, {
          max_bytes: ctx.maxBodyBytes,
        });
      },
    }),
  );
  app.use('/v1/*', async (c, next) => {
    // Runner paths check their own tokens (register and list accept the API token there).
    if (!RUNNER_PATHS.test(c.req.path)) await requireApiAccess(ctx, c);
    await next();
  });
  mountHealthRoutes(app, ctx);
  mountAgentRoutes(app, ctx);
  mountSessionRoutes(app, ctx);
  mountSessionEventRoutes(app, ctx);
  mountRunnerRoutes(app, ctx);
  mountNextRunRoute(app, ctx);
  mountRunReportRoutes(app, ctx);
  app.notFound((c) => c.json(new ApiError(404, 'not_found', `no route for ${c.req.method} ${c.req.path}`).toJSON(), 404));
  app.onError((error, c) => {
    const known = toApiError(error);
    if (known !== null) return c.json(known.toJSON(), known.status);
    ctx.logger.error({ err: error, method: c.req.method, path: c.req.path }, 'request failed');
    return c.json(new ApiError(500, 'internal', 'internal error; see the coordinator log').toJSON(), 500);
  });
  return app;
}
