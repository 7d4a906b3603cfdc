import { requeueBackoff } from './constants.js';
import { sessionTopic, TOPIC_RUNS } from './events/wake-hub.js';
import type { CoordinatorContext } from './http/context.js';

/**
 * The periodic sweep: take back runs whose runner's lease expired, fail runs no online runner can
 * serve after the placement timeout, and wake long-polls when backed-off runs become claimable.
 * Several replicas may sweep the same database; every change goes through the guarded transition.
 * @returns a function that stops the sweep and resolves when the current pass ends.
 */
export function startSweeper(ctx: CoordinatorContext): () => Promise<void> {
  const { store, timings, logger } = ctx;
  let current: Promise<void> | null = null;
  const backoff = requeueBackoff(timings);
  const sweep = async () => {
    const now = Date.now();
    const reclaimed = await store.expireLeases(now, timings.leaseMs, backoff);
    for (const run of reclaimed) {
      ctx.wake(sessionTopic(run.session_id));
      logger.warn({ run: run.id, status: run.status, attempt: run.attempt, error: run.error }, 'run lost: runner lease expired');
    }
    const online = await store.listOnlineRunners(now, timings.leaseMs);
    for (const run of await store.failUnplaceable(now, timings.placementTimeoutMs, online)) {
      ctx.wake(sessionTopic(run.session_id));
      logger.warn({ run: run.id, error: run.error }, 'run failed: no runner can serve it');
    }
    if (ctx.hub.waiting(TOPIC_RUNS) > 0 && (await store.countClaimable(now)) > 0) ctx.hub.signal(TOPIC_RUNS);
  };
  const timer = setInterval(() => {
    if (current !== null) return;
    current = sweep()
      .catch((error: unknown) => logger.error({ err: error }, 'sweep failed'))
      .finally(() => {
        current = null;
      });
  }, timings.sweepIntervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await current;
  };
}
