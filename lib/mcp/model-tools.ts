import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { kindField } from '../../protocol/routing.js';
import type { ToolContext } from './tool-context.js';
import { guarded, toolResult } from './tool-result.js';

/** select_model: what the coordinator's routing would pick for a child of the caller. */
export function registerModelTools(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    'select_model',
    {
      description:
        'Which model a child session of an agent would run with if you started it now (start_agent_session with the same agent and kind): ' +
        'the model, its fallbacks in order, the routing rule that matched (index, name, conditions) or null for the blueprint\'s own, and why. ' +
        'It counts your tree\'s depth and budget left as they are now.',
      inputSchema: {
        agent: z.string().min(1).max(128).describe('Name of an agent blueprint from list_agents.'),
        kind: kindField.optional().describe('The kind you would start the child with (e.g. "review").'),
      },
    },
    guarded(async (args, _extra, caller) => {
      const choice = await ctx.api.selectModel({ agent: args.agent, parent_session_id: caller, ...(args.kind === undefined ? {} : { kind: args.kind }) });
      return toolResult(choice);
    }),
  );
}
