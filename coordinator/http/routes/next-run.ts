import type { Hono } from 'hono';
import { agentEtag } from '../../agents/agent-etag.js';
import { runnerTopic, sessionTopic, TOPIC_RUNS, waitForSignal } from '../../events/wake-hub.js';
import type { RunRecord, RunnerRecord } from '../../types.js';
import type { CoordinatorContext } from '../context.js';
import { type RunnerEnv, runnerAuth } from '../auth.js';
import { renderRun, renderSession } from '../render.js';
import { PollSchema } from '../../../protocol/runners.js';
import { readBody } from '../validate.js';

/**
 * `POST /v1/runners/:id/next-run`: the long-poll. Answers at once with stop requests not yet delivered
 * or with a claimed run; otherwise waits for a wake-up (a run queued, a stop for this runner) up to the
 * poll timeout, then answers `{"run": null, "runs": [], "stop": []}`. With `max` > 1 it claims up to that many
 * runs at once (`runs`; `run`/`invocation` are the first of them). A poll repeating the `request_id`
 * of the runner's last poll that claimed runs answers with those runs again (its answer was lost).
 */
export function mountNextRunRoute(app: Hono<RunnerEnv>, ctx: CoordinatorContext): void {
  app.post('/runners/:id/next-run', runnerAuth(ctx, { ownPath: true }), async (c) => {
    const runner = c.get('runner');
    const body = await readBody(c, PollSchema, true);
    const signal = c.req.raw.signal;
    const deadline = Date.now() + (body.timeout_ms ?? ctx.timings.pollTimeoutMs);
    await ctx.touchRunner(runner.id);
    const replayed = body.request_id === undefined ? [] : await claimedBy(ctx, runner.id, body.request_id);
    if (replayed.length > 0) {
      const assignments = await Promise.all(replayed.map((run) => assignment(ctx, run, runner)));
      return c.json({ ...assignments[0]!, runs: assignments, stop: [] });
    }
    // Stop requests are looked up on entry and when this runner's topic fires, not on every queued run.
    let checkStops = true;
    for (;;) {
      const wait = waitForSignal(ctx.hub, [TOPIC_RUNS, runnerTopic(runner.id)], deadline - Date.now(), signal);
      const stop = checkStops ? await undeliveredStops(ctx, runner.id) : [];
      if (stop.length > 0) {
        wait.cancel();
        return c.json({ run: null, runs: [], stop });
      }
      const runs = await ctx.store.claimRuns({ ...runner, roots: body.roots }, Date.now(), body.max ?? 1);
      if (runs.length > 0) {
        wait.cancel();
        if (signal.aborted) {
          for (const run of runs) await ctx.store.releaseRun(run.id, Date.now());
          ctx.wake(TOPIC_RUNS);
          return c.body(null, 499 as 200);
        }
        if (body.request_id !== undefined) ctx.pollClaims.set(runner.id, { requestId: body.request_id, runIds: runs.map((run) => run.id) });
        for (const run of runs) {
          ctx.wake(sessionTopic(run.session_id));
          ctx.claimLatency.observe(Math.max(0, (run.claimed_at ?? 0) - Math.max(run.queued_at, run.available_at)) / 1000);
        }
        const assignments = await Promise.all(runs.map((run) => assignment(ctx, run, runner)));
        // `run`, `session` and `invocation` repeat the first of `runs`, for clients that ask for one.
        return c.json({ ...assignments[0]!, runs: assignments, stop: [] });
      }
      if (Date.now() >= deadline || signal.aborted) {
        wait.cancel();
        return c.json({ run: null, runs: [], stop: [] });
      }
      checkStops = (await wait.promise) !== TOPIC_RUNS;
    }
  });
}

/** The runs the runner's poll `requestId` claimed that it still holds unstarted (none if that was not its last claiming poll). */
async function claimedBy(ctx: CoordinatorContext, runnerId: string, requestId: string): Promise<RunRecord[]> {
  const last = ctx.pollClaims.get(runnerId);
  if (last?.requestId !== requestId) return [];
  const runs = await Promise.all(last.runIds.map((id) => ctx.store.getRun(id)));
  return runs.filter((run): run is RunRecord => run !== null && run.status === 'claimed' && run.runner_id === runnerId);
}

/** Stop requests for this runner's runs that its long-poll has not handed over yet. */
async function undeliveredStops(ctx: CoordinatorContext, runnerId: string): Promise<string[]> {
  const wanted = await ctx.store.runsToStop(runnerId);
  const delivered = ctx.deliveredStops.get(runnerId) ?? new Set<string>();
  const fresh = wanted.filter((id) => !delivered.has(id));
  ctx.deliveredStops.set(runnerId, new Set(wanted));
  return fresh;
}

/** Everything a runner needs to build the Schema 2.0 invocation for a claimed run. */
async function assignment(ctx: CoordinatorContext, run: RunRecord, runner: RunnerRecord) {
  const session = await ctx.store.getSession(run.session_id);
  const blueprint = session?.agent ? await ctx.store.getAgent(session.agent) : null;
  return {
    run: renderRun(run),
    session: session === null ? null : renderSession(session),
    invocation: {
      mode: run.mode,
      session_id: run.session_id,
      prompt: run.prompt,
      project_dir: session?.project_dir ?? null,
      agent: session?.agent ?? null,
      // The runner fetches the blueprint itself (GET /v1/agents/:name) and caches it by this version.
      agent_etag: blueprint === null ? null : agentEtag(blueprint),
      executor: run.executor,
      tags: run.tags,
      timeout_s: run.timeout_s,
      metadata: {
        run_id: run.id,
        runner_id: runner.id,
        attempt: run.attempt,
        executor_session_id: run.mode === 'resume' ? run.executor_session_id : null,
      },
    },
  };
}
