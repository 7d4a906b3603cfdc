import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { ToolContext } from './tool-context.js';
import { MAX_PROGRESS_MESSAGE_CHARS, MAX_REPORTED_DATA_CHARS, MAX_REPORTED_RESULT_CHARS } from './tool-limits.js';
import { guarded, toolResult, ToolError } from './tool-result.js';

/** list_agents, report_progress, report_result: about the caller itself. */
export function registerCallerTools(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    'list_agents',
    { description: 'The agent blueprints you may start with start_agent_session: name, description, executor, tags.', inputSchema: {} },
    guarded(async () => {
      const { agents } = await ctx.api.listAgents();
      return toolResult({
        agents: agents.map((a) => ({ name: a.name, description: a.description ?? null, executor: a.executor ?? null, tags: a.tags ?? [] })),
      });
    }),
  );

  server.registerTool(
    'report_progress',
    {
      description: 'Tell whoever watches your session how far you are. Becomes a progress event of your current run.',
      inputSchema: {
        message: z.string().min(1).max(MAX_PROGRESS_MESSAGE_CHARS).describe(`What you are doing (at most ${MAX_PROGRESS_MESSAGE_CHARS} characters).`),
        percent: z.number().min(0).max(100).optional().describe('How much is done, 0 to 100.'),
      },
    },
    guarded(async (args, _extra, caller) => {
      const runId = ctx.reporter.report(caller, { type: 'progress', message: args.message, ...(args.percent === undefined ? {} : { percent: args.percent }) });
      return toolResult({ reported: true, run_id: runId });
    }),
  );

  server.registerTool(
    'report_result',
    {
      description:
        'Record the result of your current run: a text, structured data, or both. Your parent sees it as your session\'s result. ' +
        'It stands over your executor\'s final answer; calling it again in the same run replaces what you reported before.',
      inputSchema: {
        result_text: z.string().max(MAX_REPORTED_RESULT_CHARS).optional().describe(`The result as text (at most ${MAX_REPORTED_RESULT_CHARS} characters).`),
        result_data: z.unknown().optional().describe(`The result as any JSON value (at most ${MAX_REPORTED_DATA_CHARS} characters as JSON).`),
      },
    },
    guarded(async (args, _extra, caller) => {
      if (args.result_text === undefined && args.result_data === undefined) throw new ToolError('give result_text, result_data, or both');
      if (args.result_data !== undefined && JSON.stringify(args.result_data).length > MAX_REPORTED_DATA_CHARS) {
        throw new ToolError(`result_data is larger than ${MAX_REPORTED_DATA_CHARS} characters as JSON; report a summary or a file path instead`);
      }
      // `via` tells the coordinator it is the agent's own result, which the executor's final answer does not replace.
      const event = {
        type: 'result' as const,
        via: 'report_result',
        ...(args.result_text === undefined ? {} : { result_text: args.result_text }),
        ...(args.result_data === undefined ? {} : { result_data: args.result_data }),
      };
      return toolResult({ reported: true, run_id: ctx.reporter.report(caller, event) });
    }),
  );
}
