import { hostname as osHostname } from 'node:os';
import type { Hono } from 'hono';
import { CLAIM_ANSWER_GRACE_MS, OFFLINE_AFTER_LEASES, requeueBackoff } from '../../constants.js';
import { newId, newToken } from '../../ids.js';
import { runnerHealth } from '../../rules/runner-health.js';
import type { CoordinatorContext } from '../context.js';
import { apiAccess, hashToken, type RunnerEnv, runnerAuth } from '../auth.js';
import { renderRunner } from '../render.js';
import { HeartbeatSchema, RegisterRunnerSchema } from '../../../protocol/runners.js';
import { readBody } from '../validate.js';

/** `/v1/runners`: register, list, heartbeat, deregister (the long-poll is in next-run.ts). */
export function mountRunnerRoutes(app: Hono<RunnerEnv>, ctx: CoordinatorContext): void {
  const { store, timings } = ctx;
  const ownRunner = runnerAuth(ctx, { ownPath: true });

  // Registration and the list take the API token (or any runner's token), as the user API does.
  app.post('/runners', apiAccess(ctx), async (c) => {
    const body = await readBody(c, RegisterRunnerSchema);
    // The token carries the runner id, so one header both identifies and authenticates the runner.
    const runnerId = newId('rnr');
    const token = `${runnerId}.${newToken()}`;
    await store.registerRunner(
      {
        id: runnerId,
        name: body.name ?? body.hostname ?? osHostname(),
        hostname: body.hostname ?? null,
        executors: body.executors,
        tags: body.tags ?? [],
        capacity: body.capacity ?? 1,
        metadata: body.metadata ?? null,
        credential_profiles: body.credential_profiles ?? [],
        default_executor: body.default_executor ?? null,
      },
      hashToken(token),
      Date.now(),
    );
    ctx.logger.info({ runner: runnerId, executors: body.executors, tags: body.tags ?? [] }, 'runner registered');
    return c.json(
      {
        runner_id: runnerId,
        token,
        heartbeat_interval_ms: timings.heartbeatIntervalMs,
        lease_ms: timings.leaseMs,
        poll_timeout_ms: timings.pollTimeoutMs,
        poll_keeps_lease: true,
        poll_carries_reports: true,
      },
      201,
    );
  });

  app.get('/runners', apiAccess(ctx), async (c) => {
    const now = Date.now();
    const [runners, held] = await Promise.all([store.listRunners(), store.countHeldRuns()]);
    return c.json({
      runners: runners.map((r) => renderRunner(r, runnerHealth(r, now, timings.leaseMs, OFFLINE_AFTER_LEASES), held.get(r.id) ?? 0)),
    });
  });

  app.post('/runners/:id/heartbeat', ownRunner, async (c) => {
    const runner = c.get('runner');
    const body = await readBody(c, HeartbeatSchema, true);
    const now = Date.now();
    // Claims younger than a heartbeat interval plus CLAIM_ANSWER_GRACE_MS are left alone: their answer may still be on its way.
    const claimedBefore = now - timings.heartbeatIntervalMs - CLAIM_ANSWER_GRACE_MS;
    const { released, stop } = await store.heartbeatRunner(runner.id, body.running, claimedBefore, now);
    if (released.length > 0) ctx.logger.warn({ runner: runner.id, runs: released.map((r) => r.id) }, 'runner does not report runs it was given; released them');
    return c.json({ stop, lease_ms: timings.leaseMs, heartbeat_interval_ms: timings.heartbeatIntervalMs });
  });

  app.delete('/runners/:id', ownRunner, async (c) => {
    const runner = c.get('runner');
    await store.deregisterRunner(runner.id, Date.now());
    // Its token is refused from now on: here at once, on the other replicas when they hear this.
    ctx.runnerTokens.forget(runner.id);
    ctx.wakeRunner(runner.id);
    await store.expireLeases(Date.now(), timings.leaseMs, requeueBackoff(timings));
    ctx.deliveredStops.delete(runner.id);
    ctx.pollClaims.delete(runner.id);
    ctx.logger.info({ runner: runner.id }, 'runner deregistered');
    return c.body(null, 204);
  });
}
