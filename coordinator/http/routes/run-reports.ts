import type { Hono } from 'hono';
import { enforceBudgets } from '../../budget/enforce-budgets.js';
import { requeueBackoff } from '../../constants.js';
import type { AppendResult } from '../../store/store.js';
import type { RunReportToApply } from '../../store/ops/apply-run-report.js';
import type { RunRecord } from '../../types.js';
import type { CoordinatorContext } from '../context.js';
import { toApiError } from '../error-status.js';
import { type RunnerEnv, runnerAuth } from '../auth.js';
import { renderRun } from '../render.js';
import { EventBatchSchema, RunFinishedSchema, RunReportsSchema, RunStartedSchema, type RunReportResult } from '../../../protocol/run-reports.js';
import { readBody } from '../validate.js';

/**
 * After a run ended. Its watchers, and parked polls for a callback resume it queued, heard it from the
 * store's changes; a retry that waits out a backoff is offered to the polls when the backoff ends.
 */
function afterFinished(ctx: CoordinatorContext, run: RunRecord, kind: string): void {
  const delay = run.available_at - Date.now();
  if (run.status === 'queued' && delay > 0) setTimeout(() => ctx.offerRun(run), delay).unref();
  ctx.logger.debug({ run: run.id, status: run.status, kind }, 'run finished');
}

/**
 * What the holding runner reports (403 for anyone else): `/v1/runs/:id/{started,events,finished}` one
 * at a time, or `/v1/runners/:id/reports` for several runs at once (what `agent-runner` sends).
 */
export function mountRunReportRoutes(app: Hono<RunnerEnv>, ctx: CoordinatorContext): void {
  const { store } = ctx;
  const anyRunner = runnerAuth(ctx);

  app.post('/runs/:id/started', anyRunner, async (c) => {
    const runner = c.get('runner');
    const started = await readBody(c, RunStartedSchema, true, 'replace');
    const run = await store.startRun(c.req.param('id'), runner.id, Date.now(), started);
    return c.json(renderRun(run));
  });

  app.post('/runs/:id/events', anyRunner, async (c) => {
    const runner = c.get('runner');
    const body = await readBody(c, EventBatchSchema, false, 'replace');
    const { run_usage: _usage, budgeted, ...result } = await store.appendEvents(c.req.param('id'), runner.id, body.events, Date.now());
    checkBudgets(ctx, budgeted ?? []);
    return c.json(result);
  });

  app.post('/runs/:id/finished', anyRunner, async (c) => {
    const runner = c.get('runner');
    const outcome = await readBody(c, RunFinishedSchema, false, 'replace');
    const run = await store.finishRun(c.req.param('id'), runner.id, outcome, Date.now(), requeueBackoff(ctx.timings));
    afterFinished(ctx, run, outcome.kind);
    return c.json(renderRun(run));
  });

  // Each report stands alone (applyReports): one refused report (403, 404, 409) does not affect the others.
  app.post('/runners/:id/reports', runnerAuth(ctx, { ownPath: true }), async (c) => {
    const { reports } = await readBody(c, RunReportsSchema, false, 'replace');
    return c.json({ results: await applyReports(ctx, c.get('runner').id, reports, 'request') });
  });
}

/**
 * Apply a runner's reports (`/reports`, or carried by its long-poll), each standing alone
 * (store.applyRunReports): a refused report (403, 404, 409) has its error in its result and does not
 * affect the others. @throws when the store failed (not a refusal): the whole request fails and the
 * runner sends the reports again (they are idempotent).
 */
export async function applyReports(
  ctx: CoordinatorContext,
  runnerId: string,
  reports: readonly (RunReportToApply & { finished?: { kind: string } | undefined })[],
  via: 'request' | 'poll',
): Promise<RunReportResult[]> {
  ctx.reportsReceived[via] += reports.length;
  const budgeted: string[] = [];
  const outcomes = await ctx.store.applyRunReports(runnerId, reports, Date.now(), requeueBackoff(ctx.timings));
  let failed: { error: unknown } | undefined;
  const results = reports.map((report, i): RunReportResult => {
    const { applied, error } = outcomes[i]!;
    if (applied === undefined) {
      const refused = toApiError(error);
      if (refused === null || refused.status >= 500) failed ??= { error };
      // A store failure fails the whole request (below): its result is never sent.
      if (refused === null) return { run_id: report.run_id, error: { status: 500, code: 'internal', message: 'the store failed' } };
      return { run_id: report.run_id, error: { status: refused.status, ...refused.toJSON().error } };
    }
    if (applied.skipped !== undefined) return { run_id: report.run_id, status: applied.run.status, skipped: applied.skipped };
    budgeted.push(...applied.budgeted);
    if (applied.finished) afterFinished(ctx, applied.run, report.finished!.kind);
    return { run_id: report.run_id, status: applied.run.status, ...eventCounts(applied.events) };
  });
  checkBudgets(ctx, budgeted);
  if (failed !== undefined) throw failed.error;
  return results;
}

/**
 * The budgets whose trees a report's usage changed: those passed stop their trees, after the answer (the
 * runner is not kept waiting; a failure here is caught by the sweep's look at every budget in flight).
 */
function checkBudgets(ctx: CoordinatorContext, sessionIds: readonly string[]): void {
  if (sessionIds.length === 0) return;
  enforceBudgets(ctx, sessionIds).catch((error: unknown) => ctx.logger.warn({ err: error, sessions: sessionIds }, 'budget check failed; the sweep checks again'));
}

function eventCounts(result: AppendResult | null): { accepted?: number; duplicates?: number } {
  return result === null ? {} : { accepted: result.accepted, duplicates: result.duplicates };
}
