import type { Hono } from 'hono';
import { unknownAgentError } from '../../agents/unknown-agent.js';
import { ApiError } from '../../api-error.js';
import { decodeCursor, encodeCursor } from '../../rules/cursor.js';
import { DEFAULT_PAGE_LIMIT, MAX_PRUNE_SESSIONS } from '../../../protocol/limits.js';
import { BatchItemError, NotFoundError } from '../../store/store-errors.js';
import { toApiError } from '../error-status.js';
import { explainWaiting } from '../../rules/placement.js';
import { budgetStatus } from '../../budget/budget-rules.js';
import { treeBudgets } from '../../budget/tree-budgets.js';
import type { SessionRecord } from '../../types.js';
import type { NewSession } from '../../store/ops/create-session.js';
import type { SessionStatus } from '../../../protocol/statuses.js';
import type { CoordinatorContext } from '../context.js';
import { renderCallback, renderRun, renderSession } from '../render.js';
import { type CreateSession, CreateSessionSchema, CreateSessionsSchema, ListRunsQuerySchema, ListSessionsQuerySchema, PruneSessionsSchema, ResumeSessionSchema, StopSessionSchema } from '../../../protocol/sessions.js';
import { ENDED_SESSION_STATUSES } from '../../../protocol/statuses.js';
import { readBody, readQuery } from '../validate.js';
import { cancelQuestions } from '../../rules/expire-questions.js';
import { effectiveSkills, resolveSessionAgent } from '../../skills/session-skills.js';

type ResolvedAgent = Awaited<ReturnType<typeof resolveSessionAgent>>;

/** `/v1/sessions` (create, list, get, resume, stop, delete, prune, result, runs) and `/v1/runs` (get, list by session). */
export function mountSessionRoutes(app: Hono, ctx: CoordinatorContext): void {
  const { store } = ctx;
  const mustGet = async (id: string) => {
    const session = await store.getSession(id);
    if (session === null) throw new NotFoundError('session', id);
    return session;
  };

  /**
   * With a placement timeout of 0 (a coordinator no other runner can join, as `agent-runner run`'s own), a
   * run no online runner can serve fails now, saying why; sessions created together are checked in one
   * sweep. @returns each session's status after that, in order.
   */
  const placeAllAtOnce = async (created: readonly { session: SessionRecord; runId: string }[]): Promise<SessionStatus[]> => {
    if (ctx.timings.placementTimeoutMs !== 0) return created.map(({ session }) => session.status);
    const now = Date.now();
    const online = await store.listOnlineRunners(now, ctx.timings.leaseMs);
    const failed = new Set((await store.failUnplaceable(now, 0, online, created.map(({ runId }) => runId))).map((run) => run.id));
    // The sweep may have failed one first (or a runner claimed it): say where it is now.
    return Promise.all(created.map(async ({ session, runId }) => (failed.has(runId) ? 'failed' : ((await store.getSession(session.id))?.status ?? session.status))));
  };
  const placeAtOnce = async (session: SessionRecord, runId: string): Promise<SessionStatus> => (await placeAllAtOnce([{ session, runId }]))[0]!;

  /** Why the session's latest run is still queued, from the runners online now (null when it is not queued). */
  const waitingOf = async (session: SessionRecord) => {
    if (session.status !== 'queued') return null;
    const run = await store.getRun(session.last_run_id);
    if (run?.status !== 'queued') return null;
    const now = Date.now();
    return explainWaiting(run, await store.listOnlineRunners(now, ctx.timings.leaseMs), now, ctx.timings.placementTimeoutMs);
  };

  /** What the session's tree has left under the budgets on it and its ancestors (null when none applies). */
  const budgetLeftOf = async (session: SessionRecord) => budgetStatus(session, await treeBudgets(store, session), Date.now());

  /** 422 naming the field when a session it refers to does not exist. */
  const mustExist = async (field: string, id: string | undefined) => {
    if (id === undefined || (await store.getSession(id)) !== null) return;
    throw new ApiError(422, 'invalid_request', `${field}: no session ${id}`, { issues: [{ path: field, message: `no session ${id}` }] });
  };

  /**
   * What `body` asks for, resolved against its agent (a base's executor or tags count) and the coordinator's
   * defaults. `at` prefixes the fields errors name (`sessions[3].` in a batch). `agents` keeps the agents
   * this request resolved already. @throws ApiError 422 naming the field of an unknown agent or session.
   */
  const newSessionOf = async (body: CreateSession, at = '', agents = new Map<string, ResolvedAgent>()): Promise<NewSession> => {
    let agent: ResolvedAgent | null = null;
    if (body.agent !== undefined) {
      agent = agents.get(body.agent) ?? null;
      if (agent === null) {
        const stored = await store.getAgent(body.agent);
        if (stored === null) throw await unknownAgentError(store, body.agent, `${at}agent`);
        agent = await resolveSessionAgent(ctx, stored, `${at}agent`);
        agents.set(body.agent, agent);
      }
    }
    await mustExist(`${at}parent_session_id`, body.parent_session_id);
    await mustExist(`${at}callback_session_id`, body.callback_session_id);
    const skills = await effectiveSkills(ctx, agent, body.parent_session_id);
    return {
      agent: body.agent ?? null,
      // Decided now, so only a runner that serves it ever claims it.
      executor: body.executor ?? agent?.executor ?? ctx.defaultExecutor,
      tags: body.tags ?? agent?.tags ?? [],
      project_dir: body.project_dir ?? null,
      parent_session_id: body.parent_session_id ?? null,
      priority: body.priority ?? 0,
      timeout_s: body.timeout_s ?? agent?.timeout_s ?? null,
      prompt: body.prompt,
      max_attempts: body.max_attempts ?? ctx.timings.maxAttempts,
      callback_session_id: body.callback_session_id ?? null,
      traceparent: body.traceparent ?? null,
      // The agent's budget is a default: under a parent it is cut to what the tree has left, never refused.
      budget: body.budget ?? agent?.budget ?? null,
      budget_is_default: body.budget === undefined && agent?.budget !== undefined,
      skills,
      kind: body.kind ?? null,
    };
  };

  app.post('/v1/sessions', async (c) => {
    const body = await readBody(c, CreateSessionSchema);
    const { session, run } = await store.createSession(await newSessionOf(body), Date.now());
    ctx.logger.debug({ session: session.id, run: run.id }, 'session created');
    return c.json({ session_id: session.id, run_id: run.id, status: await placeAtOnce(session, run.id) }, 201);
  });

  // Many sessions in one request and one transaction (as a job queue's bulk add): all are checked first,
  // then created in order, or none is (a refused one names its index: `sessions[3].agent`).
  app.post('/v1/sessions/batch', async (c) => {
    const body = await readBody(c, CreateSessionsSchema);
    const agents = new Map<string, ResolvedAgent>();
    const inputs: NewSession[] = [];
    for (const [i, item] of body.sessions.entries()) inputs.push(await newSessionOf(item, `sessions[${i}].`, agents));
    const created = await store.createSessions(inputs, Date.now()).catch((error: unknown) => {
      if (!(error instanceof BatchItemError)) throw error;
      const refused = toApiError(error.cause);
      if (refused === null) throw error.cause;
      throw new ApiError(refused.status, refused.code, `sessions[${error.index}]: ${refused.message}`, { ...refused.details, index: error.index });
    });
    ctx.logger.debug({ sessions: created.length }, 'sessions created');
    const statuses = await placeAllAtOnce(created.map(({ session, run }) => ({ session, runId: run.id })));
    return c.json({ sessions: created.map(({ session, run }, i) => ({ session_id: session.id, run_id: run.id, status: statuses[i]! })) }, 201);
  });

  app.get('/v1/sessions', async (c) => {
    const q = readQuery(c, ListSessionsQuerySchema);
    const before = q.cursor === undefined ? null : decodeCursor(q.cursor);
    if (q.cursor !== undefined && before === null) {
      throw new ApiError(400, 'invalid_request', 'cursor: not a cursor this API returned', {
        issues: [{ path: 'cursor', message: 'not a cursor this API returned' }],
      });
    }
    const page = await store.listSessions(
      { status: q.status, parent_session_id: q.parent, root_session_id: q.root, agent: q.agent, executor: q.executor, prompt_contains: q.q },
      { limit: q.limit ?? DEFAULT_PAGE_LIMIT, before },
    );
    return c.json({ sessions: page.sessions.map(renderSession), next_cursor: page.next === null ? null : encodeCursor(page.next) });
  });

  app.get('/v1/sessions/:id', async (c) => {
    const id = c.req.param('id');
    const read = await store.getSessionWithModel(id);
    if (read === null) throw new NotFoundError('session', id);
    const { session, model } = read;
    return c.json({ ...renderSession(session), budget_left: await budgetLeftOf(session), waiting: await waitingOf(session), model });
  });

  app.get('/v1/sessions/:id/result', async (c) => {
    const s = await mustGet(c.req.param('id'));
    return c.json({ session_id: s.id, status: s.status, result: s.result, usage: s.usage });
  });

  app.get('/v1/sessions/:id/callbacks', async (c) => {
    const s = await mustGet(c.req.param('id'));
    return c.json({ callbacks: (await store.listCallbacks(s.id)).map(renderCallback), waiting_on_runs: await store.countCallbackRunsInFlight(s.id) });
  });

  app.get('/v1/sessions/:id/runs', async (c) => {
    const s = await mustGet(c.req.param('id'));
    return c.json({ runs: (await store.listRuns(s.id)).map(renderRun) });
  });

  app.post('/v1/sessions/:id/resume', async (c) => {
    const body = await readBody(c, ResumeSessionSchema);
    await mustExist('callback_session_id', body.callback_session_id);
    const { session, run } = await store.resumeSession(c.req.param('id'), { ...body, max_attempts: ctx.timings.maxAttempts }, Date.now());
    return c.json({ session_id: session.id, run_id: run.id, status: await placeAtOnce(session, run.id) }, 201);
  });

  app.post('/v1/sessions/:id/stop', async (c) => {
    const body = await readBody(c, StopSessionSchema, true);
    const stopped = await store.stopSession(c.req.param('id'), Date.now(), { cascade: body.cascade ?? true });
    // Who must act (the runner holding a run, a session called back) heard it from the store's changes.
    const { run, notifyRunner, descendants } = stopped;
    if (descendants.length > 0) ctx.logger.info({ session: run.session_id, descendants: descendants.length, more: stopped.moreDescendants }, 'stop cascaded to descendants');
    await cancelQuestions(ctx, c.req.param('id'), body.cascade ?? true);
    const session = await mustGet(c.req.param('id'));
    return c.json(
      {
        session_id: session.id,
        status: session.status,
        run: renderRun(run),
        descendants: descendants.map((d) => ({ session_id: d.run.session_id, run_id: d.run.id, run_status: d.run.status, stop_requested: d.run.stop_requested })),
        more_descendants: stopped.moreDescendants,
      },
      notifyRunner === null ? 200 : 202,
    );
  });

  app.delete('/v1/sessions/:id', async (c) => {
    const id = c.req.param('id');
    const { deleted } = await store.deleteSession(id);
    ctx.logger.info({ session: id, deleted }, 'session deleted');
    return c.json({ session_id: id, deleted });
  });

  app.post('/v1/sessions/prune', async (c) => {
    const body = await readBody(c, PruneSessionsSchema);
    const filter = { endedBefore: Date.now() - body.older_than_s * 1000, statuses: body.status ?? ENDED_SESSION_STATUSES };
    const pruned = await store.pruneSessions(filter, MAX_PRUNE_SESSIONS);
    if (pruned.deleted > 0) ctx.logger.info({ deleted: pruned.deleted, more: pruned.more, older_than_s: body.older_than_s }, 'sessions pruned');
    return c.json(pruned);
  });

  app.get('/v1/runs', async (c) => {
    const q = readQuery(c, ListRunsQuerySchema);
    const s = await mustGet(q.session_id);
    return c.json({ runs: (await store.listRuns(s.id)).map(renderRun) });
  });

  app.get('/v1/runs/:id', async (c) => {
    const run = await store.getRun(c.req.param('id'));
    if (run === null) throw new NotFoundError('run', c.req.param('id'));
    return c.json(renderRun(run));
  });
}
