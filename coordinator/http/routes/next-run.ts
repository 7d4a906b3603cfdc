import type { Hono } from 'hono';
import { runnerEtag } from '../../agents/agent-rules.js';
import type { SkillsFolder } from '../../skills/skills-folder.js';
import type { ParkedPoll } from '../../events/parked-polls.js';
import { runnerTopic } from '../../events/wake-hub.js';
import type { RunRequirement } from '../../rules/matching.js';
import type { RunRecord, RunnerRecord, SessionRecord } from '../../types.js';
import type { CoordinatorContext } from '../context.js';
import { authenticateRunner, bearerToken, type RunnerEnv, runnerAuth } from '../auth.js';
import { renderRun, renderSession } from '../render.js';
import { PollSchema } from '../../../protocol/runners.js';
import type { BudgetLeft } from '../../../protocol/tree.js';
import { budgetLeft } from '../../budget/budget-rules.js';
import { readBody } from '../validate.js';
import { runTraceparent } from '../../../lib/trace/trace-ids.js';
import { routeClaim } from '../../routing/route-claim.js';
import { treeBudgets } from '../../budget/tree-budgets.js';
import { applyReports } from './run-reports.js';

/**
 * How long a runner given runs may hold its next poll back when another runner's poll waits here that
 * can take anything it can (`next_poll_hold_ms`): long enough for a short run to end, so its reports go
 * with that poll (one request per run instead of a poll and a report); new runs go to the waiting polls
 * meanwhile.
 */
export const NEXT_POLL_HOLD_MS = 250;

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
    // Reports the poll carries are applied as it arrives (the runs they end free their trees' waiters
    // now, not when the poll is answered); their results go with whatever it answers.
    const carried = body.reports === undefined ? {} : { report_results: await applyReports(ctx, runner.id, body.reports, 'poll') };
    // Apart from the reports it carries, a poll writes nothing to be heard: its runner's lease is renewed
    // by its heartbeats while it holds runs, and by the sweep while its poll is parked here and it holds
    // none (see touchIdleRunners).
    const replayed = body.request_id === undefined ? [] : await claimedBy(ctx, runner.id, body.request_id);
    if (replayed.length > 0) {
      const assignments = await Promise.all(replayed.map((run) => assignment(ctx, run, runner)));
      return c.json({ ...assignments[0]!, runs: assignments, stop: [], ...carried });
    }
    // Stop requests are looked up on the runner's first poll here and after its topic fired (a stop was
    // requested, here or on another replica), not on every poll: heartbeats repeat them anyway.
    let checkStops = !ctx.deliveredStops.has(runner.id) || ctx.stopsPending.has(runner.id);
    const offer = { runner, limitedToTrees: body.roots !== undefined, slots: body.max ?? 1 };
    for (;;) {
      // Parked before the claim: a run committed while it runs wakes this poll, which then claims again.
      const wait = waitForWork(ctx, offer, deadline - Date.now(), signal);
      if (checkStops) ctx.stopsPending.delete(runner.id);
      const stop = checkStops ? await undeliveredStops(ctx, runner.id) : [];
      if (stop.length > 0) {
        wait.leave();
        return c.json({ run: null, runs: [], stop, ...carried });
      }
      const claimed = await ctx.store.claimAssignments({ ...runner, roots: body.roots }, Date.now(), body.max ?? 1);
      const runs = claimed.map((one) => one.run);
      if (runs.length > 0) {
        wait.leave();
        if (signal.aborted) {
          for (const run of runs) await ctx.store.releaseRun(run.id, Date.now());
          return c.body(null, 499 as 200);
        }
        if (body.request_id !== undefined) ctx.pollClaims.set(runner.id, { requestId: body.request_id, runIds: runs.map((run) => run.id) });
        for (const run of runs) ctx.claimLatency.observe(Math.max(0, (run.claimed_at ?? 0) - Math.max(run.queued_at, run.available_at)) / 1000);
        const routed = await Promise.all(claimed.map((one) => routeClaim(ctx, one.run, one.session, one.agent)));
        // The model is known now: a profile that does not serve it gives way to one that does.
        for (const one of claimed) if (one.run.credential_profile !== null && one.run.model !== null) one.run = await ctx.store.fitProfileToModel(runner, one.run, Date.now());
        const etags = await Promise.all(claimed.map(async (one) => (one.agent === null ? null : runnerEtag(ctx.store, one.agent, ctx))));
        const assignments = claimed.map((one, i) => assignmentOf(one.run, one.session, etags[i] ?? null, runner, routed[i]!.budget, ctx.skillsFolder));
        const hold = ctx.parked.coveredByOthers(runner) ? { next_poll_hold_ms: NEXT_POLL_HOLD_MS } : {};
        // `run`, `session` and `invocation` repeat the first of `runs`, for clients that ask for one.
        return c.json({ ...assignments[0]!, runs: assignments, stop: [], ...carried, ...hold });
      }
      wait.claimed();
      if (Date.now() >= deadline || signal.aborted) {
        wait.leave();
        return c.json({ run: null, runs: [], stop: [], ...carried });
      }
      const woken = await wait.promise;
      if (woken === null) {
        wait.leave();
        return c.json({ run: null, runs: [], stop: [], ...carried });
      }
      wait.consume();
      checkStops = woken === 'runner';
      // Its runner may have deregistered (here or on another replica): a deregistered runner claims nothing.
      if (checkStops) await authenticateRunner(ctx, bearerToken(c));
    }
  });
}

/**
 * Park a poll until a run it can serve is offered to it (`'run'`), its runner's topic fires (`'runner'`),
 * `timeoutMs` passes or `signal` aborts (null). `leave` takes it out: a poll that leaves holding a run
 * offered to it after its last claim began passes that run on to another parked poll, so no run waits
 * while a poll that could take it is parked.
 */
function waitForWork(ctx: CoordinatorContext, poll: Omit<ParkedPoll, 'wake'>, timeoutMs: number, signal: AbortSignal) {
  let offered: RunRequirement | null | undefined; // undefined: nothing was offered
  let settle: (woken: 'run' | 'runner' | null) => void = () => {};
  const promise = new Promise<'run' | 'runner' | null>((resolve) => (settle = resolve));
  const parked: ParkedPoll = {
    ...poll,
    claiming: true,
    wake: (requirement) => {
      offered = requirement;
      settle('run');
    },
  };
  const unpark = ctx.parked.park(parked);
  const unsubscribe = ctx.hub.subscribe([runnerTopic(poll.runner.id)], () => settle('runner'));
  const timer = setTimeout(() => settle(null), Math.max(0, timeoutMs));
  const onAbort = () => settle(null);
  signal.addEventListener('abort', onAbort, { once: true });
  if (signal.aborted) settle(null);
  let left = false;
  return {
    promise,
    /** Its claim found nothing: it now just waits, and runs are offered to it first. */
    claimed(): void {
      parked.claiming = false;
    },
    leave(): void {
      if (left) return;
      left = true;
      unpark();
      unsubscribe();
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      if (offered !== undefined) ctx.parked.offer([offered]);
    },
    /** Stop waiting without handing an offer on: the caller claims again at once (it will see the run). */
    consume(): void {
      offered = undefined;
      this.leave();
    },
  };
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

/** assignmentOf a run read again (a repeated poll's answer). */
async function assignment(ctx: CoordinatorContext, run: RunRecord, runner: RunnerRecord) {
  const session = await ctx.store.getSession(run.session_id);
  const blueprint = session?.agent ? await ctx.store.getAgent(session.agent) : null;
  const etag = blueprint === null ? null : await runnerEtag(ctx.store, blueprint, ctx);
  return assignmentOf(run, session, etag, runner, await budgetLeftFor(ctx, session), ctx.skillsFolder);
}

/**
 * What the session's tree has left for its run, under every budget on it and its ancestors (null: none
 * applies). A root without a budget costs nothing; any other session one indexed read.
 */
async function budgetLeftFor(ctx: CoordinatorContext, session: SessionRecord | null): Promise<BudgetLeft | null> {
  const holders = await treeBudgets(ctx.store, session);
  return holders.length === 0 ? null : budgetLeft(holders, Date.now());
}

/**
 * The prompt a parked run's restart continues its executor session with: the session already holds the run's
 * own prompt (the executor bound it before the limit stopped it), so sending that again would repeat it.
 */
export const CONTINUE_AFTER_RATE_LIMIT_PROMPT =
  'Your previous turn was interrupted by an API rate limit, which has now passed. Continue the task where you left off.';

/** Everything a runner needs to build the Schema 2.0 invocation for a claimed run. */
function assignmentOf(run: RunRecord, session: SessionRecord | null, agentEtag: string | null, runner: RunnerRecord, budget: BudgetLeft | null, skills: SkillsFolder | null) {
  // A run parked for a rate limit after its executor bound a session continues that session (resume).
  const continues = run.continues_session && run.executor_session_id !== null;
  return {
    run: renderRun(run),
    session: session === null ? null : renderSession(session),
    invocation: {
      mode: continues ? 'resume' : run.mode,
      session_id: run.session_id,
      prompt: continues ? CONTINUE_AFTER_RATE_LIMIT_PROMPT : run.prompt,
      project_dir: session?.project_dir ?? null,
      agent: session?.agent ?? null,
      // The runner fetches the blueprint itself (GET /v1/agents/:name/resolved) and caches it by this version.
      agent_etag: agentEtag,
      // The session's skills and the version of each it needs now (the runner caches them by it; "" for one the folder lost: its fetch fails the run).
      ...(session === null || session.skills.length === 0 ? {} : { skills: session.skills.map((name) => ({ name, digest: skills?.get(name)?.digest ?? '' })) }),
      executor: run.executor,
      tags: run.tags,
      timeout_s: run.timeout_s,
      // Chosen at the claim (routing rules, else the blueprint's own): the invocation's agent_blueprint.model and .models.
      model: run.model,
      models: run.models,
      metadata: {
        run_id: run.id,
        runner_id: runner.id,
        attempt: run.attempt,
        executor_session_id: run.mode === 'resume' || continues ? run.executor_session_id : null,
        // The run's span in its tree's trace (protocol/trace-context.ts); the runner's spans and the executor's go under it.
        traceparent: runTraceparent(session?.traceparent ?? null, run.id),
        ...(budget === null ? {} : { budget }),
        // A workflow task's structured inputs and where it is in its workflow (lib/workflow, issue 16).
        ...workflowMetadata(session),
      },
    },
  };
}

/** The `inputs` and `workflow` a workflow task's session carries to its invocation's metadata (nothing else of it). */
function workflowMetadata(session: SessionRecord | null): { inputs?: unknown; workflow?: unknown } {
  const metadata = session?.metadata ?? null;
  if (metadata === null) return {};
  return {
    ...(metadata.inputs === undefined ? {} : { inputs: metadata.inputs }),
    ...(metadata.workflow === undefined ? {} : { workflow: metadata.workflow }),
  };
}
