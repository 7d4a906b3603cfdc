import { enforceBudgetsInFlight } from './budget/enforce-budgets.js';
import { requeueBackoff } from './constants.js';
import { expireQuestions } from './rules/expire-questions.js';
import type { CoordinatorContext } from './http/context.js';

/** Workflow runs past their timeout stopped by one sweep (the next sweep takes the rest). */
const MAX_TIMEOUTS_PER_SWEEP = 100;

/**
 * The periodic sweep: renew the leases of idle runners whose long-poll is parked here (they send no
 * heartbeats), take back runs whose runner's lease expired, fail runs no online runner can serve after
 * the placement timeout, stop trees that passed a budget (wall time, and spending a report did not catch),
 * close questions past their timeout,
 * and wake long-polls when backed-off runs become claimable.
 * Several replicas may sweep the same database; every change goes through the guarded transition.
 * @returns a function that stops the sweep and resolves when the current pass ends.
 */
export function startSweeper(ctx: CoordinatorContext): () => Promise<void> {
  const { store, timings, logger } = ctx;
  let current: Promise<void> | null = null;
  const backoff = requeueBackoff(timings);
  const sweep = async () => {
    const now = Date.now();
    const parkedRunners = ctx.parked.runnerIds();
    if (parkedRunners.length > 0) await store.touchIdleRunners(parkedRunners, now);
    const reclaimed = await store.expireLeases(now, timings.leaseMs, backoff);
    for (const run of reclaimed) {
      logger.warn({ run: run.id, status: run.status, attempt: run.attempt, error: run.error }, 'run lost: runner lease expired');
    }
    // No target wants runner.offline: no statement.
    for (const runner of await store.notifyRunnersOffline(now, timings.leaseMs)) logger.info({ runner }, 'runner offline: notification enqueued');
    const online = await store.listOnlineRunners(now, timings.leaseMs);
    for (const run of await store.failUnplaceable(now, timings.placementTimeoutMs, online)) {
      logger.warn({ run: run.id, error: run.error }, 'run failed: no runner can serve it');
    }
    await enforceBudgetsInFlight(ctx, now);
    await expireQuestions(ctx, now);
    for (const id of await store.timeOutWorkflowRuns(now, MAX_TIMEOUTS_PER_SWEEP)) logger.warn({ workflow_run: id }, 'workflow run timed out: stopping its jobs');
    for (const fired of await store.fireSchedules(now)) {
      if (fired.error === null) logger.info({ workflow: fired.name, slot: new Date(fired.slot).toISOString(), workflow_run: fired.workflow_run_id }, 'scheduled workflow started');
      else logger.warn({ workflow: fired.name, slot: new Date(fired.slot).toISOString() }, `scheduled workflow not started: ${fired.error}`);
    }
    // The backstop of the wake-ups: runs whose backoff ended, or offered while no poll here could take them.
    if (ctx.parked.size > 0) {
      const claimable = Math.min(await store.countClaimable(now), ctx.parked.size);
      if (claimable > 0) ctx.parked.offer(Array.from({ length: claimable }, () => null));
    }
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
