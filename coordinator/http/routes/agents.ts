import type { Hono } from 'hono';
import { agentEtag, etagMatches } from '../../agents/agent-etag.js';
import { AgentFileError } from '../../agents/load-agents-dir.js';
import { unknownAgentError } from '../../agents/unknown-agent.js';
import { AGENT_NAME, AgentDocumentPutSchema, type AgentDocument } from '../../../protocol/agents.js';
import { ApiError } from '../../api-error.js';
import type { CoordinatorContext } from '../context.js';
import { readBody } from '../validate.js';
import { agentsByName, resolveChecked, resolveStored, unresolvableAgent } from '../../agents/agent-rules.js';
import { AgentResolveError, runnerBlueprint } from '../../agents/resolve-agent.js';


function checkName(name: string): void {
  if (!AGENT_NAME.test(name)) {
    throw new ApiError(400, 'invalid_request', 'name: must be letters, digits, ".", "_" or "-" (at most 128)', {
      issues: [{ path: 'name', message: 'must be letters, digits, ".", "_" or "-"' }],
    });
  }
}

/**
 * A PUT's preconditions: `If-Match` (the ETag the client read: the agent must still be that version; `*`:
 * it must exist) and `If-None-Match: *` (create only). 412 otherwise. Checked before the write, not in
 * its transaction: a change between the two is not caught.
 */
async function checkPreconditions(ctx: CoordinatorContext, name: string, ifMatch: string | undefined, ifNoneMatch: string | undefined): Promise<void> {
  if (ifMatch === undefined && ifNoneMatch === undefined) return;
  const current = await ctx.store.getAgent(name);
  const etag = current === null ? null : agentEtag(current);
  if (ifMatch !== undefined && (etag === null || !etagMatches(ifMatch, etag))) {
    const why = etag === null ? `agent "${name}" does not exist (any more)` : `agent "${name}" was changed since you read it (it is ${etag} now)`;
    throw new ApiError(412, 'conflict', `If-Match: ${why}`, { agent: name, etag });
  }
  if (ifNoneMatch !== undefined && etag !== null && etagMatches(ifNoneMatch, etag)) {
    throw new ApiError(412, 'conflict', `If-None-Match: agent "${name}" exists already`, { agent: name, etag });
  }
}

/**
 * `/v1/agents`: list (with the agents folder's problems), get (with ETag / If-None-Match → 304), put
 * (create or replace; unknown fields refused; If-Match / If-None-Match: * → 412), delete, and reload (read the agents folder again).
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

  // The blueprint a session runs with (`extends` merged, shared MCP servers in `mcp_servers`), as runners fetch it; ETag and 304 as above.
  app.get('/v1/agents/:name/resolved', async (c) => {
    const agent = await ctx.store.getAgent(c.req.param('name'));
    if (agent === null) throw await unknownAgentError(ctx.store, c.req.param('name'));
    let resolved;
    try {
      resolved = runnerBlueprint(await resolveStored(ctx.store, agent, ctx));
    } catch (error) {
      if (error instanceof AgentResolveError) throw unresolvableAgent(error, agent.name);
      throw error;
    }
    const etag = agentEtag(resolved as AgentDocument);
    if (etagMatches(c.req.header('if-none-match'), etag)) return c.body(null, 304, { etag });
    return c.json(resolved, 200, { etag });
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
    await checkPreconditions(ctx, name, c.req.header('if-match'), c.req.header('if-none-match'));
    const doc: AgentDocument = { ...body, name };
    try {
      resolveChecked(doc, await agentsByName(ctx.store, doc), ctx);
    } catch (error) {
      if (error instanceof AgentResolveError) throw unresolvableAgent(error, name);
      throw error;
    }
    const { created } = await ctx.store.putAgent(doc, Date.now());
    return c.json(doc, created ? 201 : 200, { etag: agentEtag(doc) });
  });

  app.delete('/v1/agents/:name', async (c) => {
    if (!(await ctx.store.deleteAgent(c.req.param('name')))) throw await unknownAgentError(ctx.store, c.req.param('name'));
    return c.body(null, 204);
  });
}
