import type { Hono } from 'hono';
import type { CoordinatorContext } from '../context.js';
import { renderMetrics } from '../metrics-text.js';

/** `/healthz` (the store answers) and `/metrics` (Prometheus text). Neither needs a token. */
export function mountHealthRoutes(app: Hono, ctx: CoordinatorContext): void {
  app.get('/healthz', async (c) => {
    await ctx.store.sql.query('SELECT 1');
    return c.json({ status: 'ok', store: ctx.store.dialect });
  });

  app.get('/metrics', async (c) => {
    const now = Date.now();
    const [runsByState, online, usage] = await Promise.all([
      ctx.store.countRunsByStatus(),
      ctx.store.listOnlineRunners(now, ctx.timings.leaseMs),
      ctx.store.listUsageTotals(),
    ]);
    const text = renderMetrics({
      runsByState, runnersOnline: online.length, pollsWaiting: ctx.parked.size, replicaPeers: ctx.store.sql.replicaPeers(),
      pollWakeups: ctx.parked.wakeups, reportsReceived: ctx.reportsReceived, claimLatency: ctx.claimLatency, usage,
    });
    return c.text(text, 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
  });
}
