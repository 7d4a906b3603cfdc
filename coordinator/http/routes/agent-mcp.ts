import type { Hono } from 'hono';
import { McpToolCallSchema } from '../../../protocol/agent-mcp.js';
import { didYouMean } from '../../../protocol/did-you-mean.js';
import { unknownAgentError } from '../../agents/unknown-agent.js';
import { resolveStored, unresolvableAgent } from '../../agents/agent-rules.js';
import { AgentResolveError } from '../../agents/resolve-agent.js';
import { ApiError } from '../../api-error.js';
import type { CoordinatorContext } from '../context.js';
import { readBody } from '../validate.js';

/**
 * `/v1/agents/:name/mcp`: the tools of each of an agent's MCP servers, listed by the coordinator with the
 * official MCP client (servers in parallel, each time-boxed; a failing server shows its error), and
 * `POST …/mcp/:server/call` to call one tool. stdio servers and servers whose configuration needs a
 * runner's placeholders are not reached (the coordinator starts no command and resolves no runner value).
 */
export function mountAgentMcpRoutes(app: Hono, ctx: CoordinatorContext): void {
  // The MCP client loads on the first of these requests, not when a coordinator starts.
  const tools = () => import('../../agents/mcp-tools.js');
  const serversOf = async (name: string): Promise<Record<string, unknown>> => {
    const agent = await ctx.store.getAgent(name);
    if (agent === null) throw await unknownAgentError(ctx.store, name);
    // As its sessions have them: its bases' servers and the shared servers it names too.
    try {
      return ((await resolveStored(ctx.store, agent, ctx)).mcp_servers ?? {}) as Record<string, unknown>;
    } catch (error) {
      if (error instanceof AgentResolveError) throw unresolvableAgent(error, name);
      throw error;
    }
  };

  app.get('/v1/agents/:name/mcp', async (c) => {
    const name = c.req.param('name');
    const { listAgentTools } = await tools();
    const servers = await listAgentTools(await serversOf(name));
    return c.json({ agent: name, servers });
  });

  app.post('/v1/agents/:name/mcp/:server/call', async (c) => {
    const name = c.req.param('name');
    const server = c.req.param('server');
    const servers = await serversOf(name);
    if (!Object.hasOwn(servers, server)) {
      const known = Object.keys(servers);
      const why = `agent "${name}" has no MCP server "${server}"${didYouMean(server, known)}${known.length === 0 ? ' (it has none)' : ''}`;
      throw new ApiError(404, 'not_found', why, { agent: name, server });
    }
    const body = await readBody(c, McpToolCallSchema);
    const { callServerTool, isReachable, McpServerError, reachServer } = await tools();
    const target = reachServer(server, servers[server]);
    if (!isReachable(target)) throw new ApiError(409, 'conflict', target.reason, { agent: name, server });
    try {
      return c.json(await callServerTool(target, body.tool, body.arguments ?? {}));
    } catch (error) {
      if (error instanceof McpServerError) throw new ApiError(error.timedOut ? 504 : 502, 'upstream_failed', error.message, { agent: name, server });
      throw error;
    }
  });
}
