import type { Hono } from 'hono';
import { unknownAgentError } from '../../agents/unknown-agent.js';
import { ApiError } from '../../api-error.js';
import { NotFoundError } from '../../store/store-errors.js';
import type { NewSession } from '../../store/ops/create-session.js';
import type { RunRecord, SessionRecord } from '../../types.js';
import { RetrySessionSchema } from '../../../protocol/sessions.js';
import { isSessionEnded } from '../../../protocol/statuses.js';
import type { CoordinatorContext } from '../context.js';
import { readBody } from '../validate.js';

/**
 * What a retry of `session` asks for: the same agent, executor, tags, prompt, project folder, parent,
 * priority, timeout, attempts and budget as the session was created with (its first run's prompt and
 * attempts). A new root gets a new trace; a callback is not repeated (a person retries, not its parent).
 */
export function retryOf(session: SessionRecord, firstRun: RunRecord | undefined, maxAttempts: number): NewSession {
  return {
    agent: session.agent,
    executor: session.executor,
    tags: session.tags,
    project_dir: session.project_dir,
    parent_session_id: session.parent_session_id,
    priority: session.priority,
    timeout_s: session.timeout_s,
    prompt: firstRun?.prompt ?? session.prompt,
    max_attempts: firstRun?.max_attempts ?? maxAttempts,
    budget: session.budget,
  };
}

/**
 * `POST /v1/sessions/:id/retry`: a NEW session asking for what an ended one asked for (GitHub's
 * "re-run"): 201 `{session_id, run_id, status, retry_of}`. 409 while the session is in flight (stop it
 * first) and for a workflow's session (re-run or resume the workflow instead); 422 naming `agent` when its
 * agent was deleted since.
 */
export function mountSessionRetryRoute(app: Hono, ctx: CoordinatorContext): void {
  const { store } = ctx;
  // As POST /v1/sessions: with a placement timeout of 0, a run no online runner serves fails now.
  const placeAtOnce = async (session: SessionRecord, runId: string) => {
    if (ctx.timings.placementTimeoutMs !== 0) return session.status;
    const now = Date.now();
    const failed = await store.failUnplaceable(now, 0, await store.listOnlineRunners(now, ctx.timings.leaseMs), [runId]);
    return failed.length > 0 ? 'failed' : ((await store.getSession(session.id))?.status ?? session.status);
  };
  app.post('/v1/sessions/:id/retry', async (c) => {
    await readBody(c, RetrySessionSchema, true);
    const id = c.req.param('id');
    const session = await store.getSession(id);
    if (session === null) throw new NotFoundError('session', id);
    if (!isSessionEnded(session.status)) {
      throw new ApiError(409, 'conflict', `session ${id} is ${session.status}: only an ended session (idle, failed, cancelled) can be retried; stop it first`, { status: session.status });
    }
    if (session.workflow_run_id !== null) {
      throw new ApiError(409, 'conflict', `session ${id} belongs to workflow run ${session.workflow_run_id}: re-run or resume the workflow instead`, { workflow_run_id: session.workflow_run_id });
    }
    if (session.agent !== null && (await store.getAgent(session.agent)) === null) throw await unknownAgentError(store, session.agent, 'agent');
    const [firstRun] = await store.listRuns(session.id);
    const { session: retry, run } = await store.createSession(retryOf(session, firstRun, ctx.timings.maxAttempts), Date.now());
    ctx.logger.info({ session: retry.id, run: run.id, retry_of: id }, 'session retried');
    return c.json({ session_id: retry.id, run_id: run.id, status: await placeAtOnce(retry, run.id), retry_of: id }, 201);
  });
}
