import type { Hono } from 'hono';
import type { z } from 'zod';
import { packageVersion } from '../../../lib/package-root.js';
import { STATUS_WINDOW_MS, type SystemStatusSchema } from '../../../protocol/status.js';
import { OFFLINE_AFTER_LEASES } from '../../constants.js';
import { runnerHealth } from '../../rules/runner-health.js';
import type { CoordinatorContext } from '../context.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * `GET /v1/status`: one screen of system status. Three cheap reads in parallel: the runners (a handful of
 * rows), the runs they hold, and one statement of counts over index ranges (runs and sessions in flight,
 * the oldest queued run, runs ended in the last hour).
 */
export function mountStatusRoutes(app: Hono, ctx: CoordinatorContext): void {
  const { store, timings } = ctx;
  app.get('/v1/status', async (c) => {
    const now = Date.now();
    const [runners, held, counts, parks] = await Promise.all([store.listRunners(), store.countHeldRuns(), store.countSystemStatus(now - STATUS_WINDOW_MS), store.listCredentialParks(now)]);
    const fleet = { online: 0, stale: 0, offline: 0, slots_used: 0, slots_total: 0 };
    for (const runner of runners) {
      const health = runnerHealth(runner, now, timings.leaseMs, OFFLINE_AFTER_LEASES);
      fleet[health] += 1;
      if (health !== 'online') continue;
      fleet.slots_total += runner.capacity;
      fleet.slots_used += held.get(runner.id) ?? 0;
    }
    const ended = counts.endedSince;
    const lastHour = { succeeded: ended.succeeded ?? 0, failed: ended.failed ?? 0, cancelled: ended.cancelled ?? 0, timed_out: ended.timed_out ?? 0 };
    const total = lastHour.succeeded + lastHour.failed + lastHour.cancelled + lastHour.timed_out;
    const runs = counts.runsInFlight;
    const oldest = counts.oldestQueuedAt;
    const body: z.input<typeof SystemStatusSchema> = {
      time: iso(now)!,
      coordinator: { version: packageVersion(), store: store.dialect, started_at: iso(ctx.startedAt)!, uptime_s: Math.max(0, (now - ctx.startedAt) / 1000) },
      runners: fleet,
      runs: { queued: runs.queued ?? 0, claimed: runs.claimed ?? 0, running: runs.running ?? 0, lost: runs.lost ?? 0 },
      queue: { depth: runs.queued ?? 0, oldest_queued_at: iso(oldest), age_s: oldest === null ? null : Math.max(0, (now - oldest) / 1000) },
      last_hour: { ...lastHour, success_rate: total === 0 ? null : lastHour.succeeded / total },
      sessions: { queued: counts.sessionsInFlight.queued ?? 0, running: counts.sessionsInFlight.running ?? 0 },
      rate_limits: parks.map((p) => ({ ...p, until: iso(p.until)! })),
    };
    return c.json(body);
  });
}
