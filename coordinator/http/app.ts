import { Hono } from 'hono';
import { ApiError } from '../api-error.js';
import { apiAccess, type RunnerEnv } from './auth.js';
import { limitBody } from './body-limit.js';
import type { CoordinatorContext } from './context.js';
import { toApiError } from './error-status.js';
import { mountAgentRoutes } from './routes/agents.js';
import { mountAgentMcpRoutes } from './routes/agent-mcp.js';
import { mountSkillRoutes } from './routes/skills.js';
import { mountHealthRoutes } from './routes/health.js';
import { mountNextRunRoute } from './routes/next-run.js';
import { mountNotificationRoutes } from './routes/notifications.js';
import { mountRunReportRoutes } from './routes/run-reports.js';
import { mountRunnerRoutes } from './routes/runners.js';
import { mountSessionEventRoutes } from './routes/session-events.js';
import { mountSessionRoutes } from './routes/sessions.js';
import { mountSessionTreeRoutes } from './routes/session-tree.js';
import { mountSessionRetryRoute } from './routes/session-retry.js';
import { mountQuestionRoutes } from './routes/questions.js';
import { mountStatusRoutes } from './routes/status.js';
import { mountUsageRoutes } from './routes/usage.js';
import { mountWorkflowRoutes } from './routes/workflows.js';
import { refuseNulInUrl } from './validate.js';
import { refuseCrossSite } from './cross-site.js';
import { mountChangeRoutes } from './routes/changes.js';
import { mountMentionRoutes } from './routes/mentions.js';
import { mountRoutingRoutes } from './routes/routing.js';
import { consoleError, mountConsole } from '../console/mount-console.js';

/**
 * The runner API (mounted at /v1): register, list, heartbeat, long-poll, reports, deregister, and
 * `/runs/:id/{started,events,finished}`. Each route names its auth middleware: a runner token (with
 * `ownPath`, the token of the runner in the path), or the API token for registration and the list.
 */
export function buildRunnerApi(ctx: CoordinatorContext): Hono<RunnerEnv> {
  const api = new Hono<RunnerEnv>();
  mountRunnerRoutes(api, ctx);
  mountNextRunRoute(api, ctx);
  mountRunReportRoutes(api, ctx);
  return api;
}

/**
 * The coordinator's Hono app: body limit, no NUL in the URL, no cross-site writes, health, the runner API,
 * the user API behind its guard, the console's pages (at /), one JSON error handler.
 */
export function buildApp(ctx: CoordinatorContext): Hono {
  const app = new Hono();
  app.use('*', limitBody(ctx.maxBodyBytes));
  app.use('*', refuseNulInUrl());
  app.use('*', refuseCrossSite({ loopbackOnly: ctx.apiToken === null }));
  mountHealthRoutes(app, ctx);
  // The runner API first: its routes answer before the user API's guard, which matches all of /v1
  // (an unknown /v1 path too: it needs the token before it gets its 404).
  app.route('/v1', buildRunnerApi(ctx));
  app.use('/v1/*', apiAccess(ctx));
  mountAgentRoutes(app, ctx);
  mountAgentMcpRoutes(app, ctx);
  mountSkillRoutes(app, ctx);
  mountSessionRoutes(app, ctx);
  mountSessionEventRoutes(app, ctx);
  mountSessionTreeRoutes(app, ctx);
  mountSessionRetryRoute(app, ctx);
  mountQuestionRoutes(app, ctx);
  mountStatusRoutes(app, ctx);
  mountUsageRoutes(app, ctx);
  mountNotificationRoutes(app, ctx);
  mountWorkflowRoutes(app, ctx);
  mountChangeRoutes(app, ctx);
  mountMentionRoutes(app, ctx);
  mountRoutingRoutes(app, ctx);
  mountConsole(app, ctx);
  app.notFound((c) => c.json(new ApiError(404, 'not_found', `no route for ${c.req.method} ${c.req.path}`).toJSON(), 404));
  app.onError((error, c) => {
    const asPage = consoleError(c, error);
    if (asPage !== null) return asPage;
    const known = toApiError(error);
    if (known !== null) return c.json(known.toJSON(), known.status);
    ctx.logger.error({ err: error, method: c.req.method, path: c.req.path }, 'request failed');
    return c.json(new ApiError(500, 'internal', 'internal error; see the coordinator log').toJSON(), 500);
  });
  return app;
}
