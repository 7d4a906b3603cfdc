import type { Hono } from 'hono';
import { agentEtag, etagMatches } from '../../agents/agent-etag.js';
import { AgentFileError } from '../../agents/load-agents-dir.js';
import { unknownAgentError } from '../../agents/unknown-agent.js';
import { AGENT_NAME, AgentDocumentPutSchema, type AgentDocument } from '../../../protocol/agents.js';
import { ApiError } from '../../api-error.js';
import type { CoordinatorContext } from '../context.js';
import { readBody } from '../validate.js';

function checkName(name: string): void {
  if (!AGENT_NAME.test(name)) {
    throw new ApiError(400, 'invalid_request', 'name: must be letters, digits, ".", "_" or "-" (at most 128)', {
      issues: [{ path: 'name', message: 'must be letters, digits, ".", "_" or "-"' }],
    });
  }
}

/**
 * `/v1/agents`: list (with the agents folder's problems), get (with ETag / If-None-Match → 304), put
 * (create or replace; unknown fields refused), delete, and reload (read the agents folder again).
 */
export function mountAgentRoutes(app: Hono, ctx: CoordinatorContext): void {
  app.get('/v1/agents', async (c) => c.json({ agents: await ctx.store.listAgents(), problems: ctx.agentsFolder?.problems() ?? [] }));

  app.post('/v1/agents/reload', async (c) => {
    if (ctx.agentsFolder === null) {
      throw new ApiError(409, 'conflict', 'this coordinator has no agents folder to reload (start it with --agents-dir)');
    }
    try {
      return c.json(await ctx.agentsFolder.reload(true));
    } catch (error) {
      // The folder itself is unreadable (removed, no permission): nothing was changed.
      if (error instanceof AgentFileError) throw new ApiError(409, 'conflict', `${error.message}; the agents stay as they were`);
      throw error;
    }
  });

  app.get('/v1/agents/:name', async (c) => {
    const agent = await ctx.store.getAgent(c.req.param('name'));
    if (agent === null) throw await unknownAgentError(ctx.store, c.req.param('name'));
    const etag = agentEtag(agent);
    if (etagMatches(c.req.header('if-none-match'), etag)) return c.body(null, 304, { etag });
    return c.json(agent, 200, { etag });
  });

  app.put('/v1/agents/:name', async (c) => {
    const name = c.req.param('name');
    checkName(name);
    const body = await readBody(c, AgentDocumentPutSchema);
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
    if (!(await ctx.store.deleteAgent(c.req.param('name')))) throw await unknownAgentError(ctx.store, c.req.param('name'));
    return c.body(null, 204);
  });
}
