import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { WorkflowRunView } from '../../protocol/workflows.js';
import type { ToolContext } from './tool-context.js';
import { guarded, ToolError, toolResult } from './tool-result.js';

/** What a workflow run tells the agent that started it: its state, and each job's status and outputs. */
function workflowSummary(view: WorkflowRunView) {
  return {
    workflow_run_id: view.workflow_run_id,
    name: view.name,
    status: view.status,
    error: view.error,
    root_session_id: view.root_session_id,
    counts: view.counts,
    cost_usd: view.totals.cost_usd,
    jobs: Object.fromEntries(view.jobs.map((j) => [j.id, { status: j.status, result: j.result, reason: j.reason, outputs: j.outputs }])),
  };
}

/**
 * start_workflow and get_workflow_run: an agent starts a workflow of the coordinator's folder (by name:
 * never a definition of its own, so an agent cannot make up `run:` steps) as a child of its own session, so
 * the run is in its tree (its budget, its stop), and reads the runs of its own tree only.
 */
export function registerWorkflowTools(server: McpServer, ctx: ToolContext): void {
  /** The workflow run, when it is in the caller's tree. */
  const ownRun = async (caller: string, id: string): Promise<WorkflowRunView> => {
    const view = await ctx.api.getWorkflowRun(id);
    const [root, me] = await Promise.all([ctx.api.getSession(view.root_session_id), ctx.api.getSession(caller)]);
    if (root.root_session_id !== me.root_session_id) throw new ToolError(`workflow run ${id} is not in your tree`);
    return view;
  };

  server.registerTool(
    'start_workflow',
    {
      description:
        'Start a workflow of the coordinator\'s workflows folder by name, with its inputs: its jobs run as sessions under you (your budget covers them; stopping you stops them). ' +
        'With wait true, returns when it ended, with each job\'s status and outputs; otherwise returns its workflow_run_id at once (read it with get_workflow_run).',
      inputSchema: {
        workflow: z.string().min(1).max(256).describe('The workflow\'s name.'),
        inputs: z.record(z.string(), z.unknown()).optional().describe('Its inputs, by name (checked against its `inputs:`).'),
        wait: z.boolean().optional().describe('true: return when the workflow ended (default false).'),
      },
    },
    guarded(async (args, _extra, caller) => {
      const started = await ctx.api.startWorkflowRun({ workflow: args.workflow, inputs: args.inputs ?? {}, parent_session_id: caller, trigger: 'mcp' });
      if (args.wait !== true) return toolResult({ workflow_run_id: started.workflow_run_id, root_session_id: started.root_session_id, status: started.status });
      const inner = new AbortController();
      let last: WorkflowRunView | null = null;
      try {
        for await (const view of ctx.streams.followWorkflowRun(started.workflow_run_id, inner.signal)) last = view;
      } finally {
        inner.abort();
      }
      return toolResult(workflowSummary(last ?? (await ctx.api.getWorkflowRun(started.workflow_run_id))));
    }),
  );

  server.registerTool(
    'get_workflow_run',
    {
      description: 'A workflow run of your tree: its status, and each job\'s status, result and outputs.',
      inputSchema: { workflow_run_id: z.string().min(1).max(64).describe('The id start_workflow returned (wfr_…).') },
    },
    guarded(async (args, _extra, caller) => toolResult(workflowSummary(await ownRun(caller, args.workflow_run_id)))),
  );
}
