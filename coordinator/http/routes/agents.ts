import type { Hono } from 'hono';
import { agentEtag, etagMatches } from '../../agents/agent-etag.js';
import { AGENT_NAME, AgentDocumentSchema, type AgentDocument } from '../../../protocol/agents.js';
import { ApiError } from '../../api-error.js';
import { NotFoundError } from '../../store/store-errors.js';
import type { CoordinatorContext } from '../context.js';
import { readBody } from '../validate.js';

function checkName(name: string): void {
  if (!AGENT_NAME.test(name)) {
    throw new ApiError(400, 'invalid_request', 'name: must be letters, digits, ".", "_" or "-" (at most 128)', {
      issues: [{ path: 'name', message: 'must be letters, digits, ".", "_" or "-"' }],
    });
  }
}

/** `/v1/agents`: list, get (with ETag / If-None-Match → 304), put (create or replace), delete. */
export function mountAgentRoutes(app: Hono, ctx: CoordinatorContext): void {
  app.get('/v1/agents', async (c) => c.json({ agents: await ctx.store.listAgents() }));

  app.get('/v1/agents/:name', async (c) => {
    const agent = await ctx.store.getAgent(c.req.param('name'));
    if (agent === null) throw new NotFoundError('agent', c.req.param('name'));
    const etag = agentEtag(agent);
    if (etagMatches(c.req.header('if-none-match'), etag)) return c.body(null, 304, { etag });
    return c.json(agent, 200, { etag });
  });

  app.put('/v1/agents/:name', async (c) => {
    const name = c.req.param('name');
    checkName(name);
    const body = await readBody(c, AgentDocumentSchema.partial({ name: true }));
    if (body.name !== undefined && body.name !== name) {
      throw new ApiError(400, 'invalid_request', `name: is "${body.name}" but the URL names "${name}"`, {
        issues: [{ path: 'name', message: `must match the URL ("${name}")` }],
      });
    }
    const doc: AgentDocument = { ...body, name };
    const { created } = await ctx.store.putAgent(doc, Date.now());
    return c.json(doc, created ? 201 : 200, { etag: agentEtag(doc) });
  });

  app.delete('/v1/agents/:name', async (c) => {
    if (!(await ctx.store.deleteAgent(c.req.param('name')))) throw new NotFoundError('agent', c.req.param('name'));
    return c.body(null, 204);
  });
}
