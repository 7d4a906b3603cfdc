import type { Hono } from 'hono';
import { unknownAgentError } from '../../agents/unknown-agent.js';
import { ApiError } from '../../api-error.js';
import { budgetFractionLeft } from '../../budget/budget-rules.js';
import { treeBudgets } from '../../budget/tree-budgets.js';
import type { CoordinatorContext } from '../context.js';
import { SelectModelSchema } from '../../../protocol/routing.js';
import { readBody } from '../validate.js';

/**
 * `GET /v1/routing`: the routing file in use and its rules. `POST /v1/routing/select`: what the router
 * would pick now for a session of an agent (with a kind and tags), as a root or as a child of
 * `parent_session_id` (its depth + 1, its tree's budget left): what the MCP tool `select_model` asks.
 */
export function mountRoutingRoutes(app: Hono, ctx: CoordinatorContext): void {
  app.get('/v1/routing', (c) => c.json(ctx.routing.status()));

  app.post('/v1/routing/select', async (c) => {
    const body = await readBody(c, SelectModelSchema);
    const agent = await ctx.store.getAgent(body.agent);
    if (agent === null) throw await unknownAgentError(ctx.store, body.agent, 'agent');
    const parent = body.parent_session_id === undefined ? null : await ctx.store.getSession(body.parent_session_id);
    if (body.parent_session_id !== undefined && parent === null) {
      throw new ApiError(422, 'invalid_request', `parent_session_id: no session ${body.parent_session_id}`, { issues: [{ path: 'parent_session_id', message: `no session ${body.parent_session_id}` }] });
    }
    const holders = await treeBudgets(ctx.store, parent);
    const choice = ctx.routing.choose(
      { agent: agent.name, tags: body.tags ?? agent.tags ?? [], depth: parent === null ? 0 : parent.depth + 1, kind: body.kind ?? null, budgetLeft: budgetFractionLeft(holders, Date.now()) },
      agent,
      await ctx.unavailableModels(),
    );
    return c.json(choice);
  });
}
