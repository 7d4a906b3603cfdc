// start_workflow and get_workflow_run through the official MCP client: an agent starts a workflow of the
// coordinator's folder by name under its own session (one tree), waits for it or reads it later, and cannot
// read a workflow run of another tree; bad names and inputs are tool errors naming them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { McpTestBed, toolData } from './harness.js';

const FLOW = `
name: mcp-flow
inputs:
  topic: {type: string, required: true}
jobs:
  research:
    executor: test-executor
    prompt: "research \${{ inputs.topic }}"
  write:
    needs: research
    executor: test-executor
    prompt: "write up: \${{ jobs.research.outputs.result }}"
`;

describe('workflow tools over MCP', () => {
  let bed: McpTestBed;
  beforeEach(async () => {
    bed = await McpTestBed.start({
      coordinator: (dir) => {
        const workflowsDir = join(dir, 'workflows');
        mkdirSync(workflowsDir, { recursive: true });
        writeFileSync(join(workflowsDir, 'flow.yaml'), FLOW);
        return { workflowsDir };
      },
    });
  });
  afterEach(async () => bed.close());

  it("start_workflow with wait runs it under the caller and returns each job's outputs; get_workflow_run reads it", async () => {
    const me = await bed.liveSession('orchestrate');
    const client = await bed.client(me.session_id);
    const result = await client.callTool({ name: 'start_workflow', arguments: { workflow: 'mcp-flow', inputs: { topic: 'tides' }, wait: true } });
    expect(result.isError).toBeFalsy();
    const data = toolData(result);
    expect(data).toMatchObject({ name: 'mcp-flow', status: 'succeeded', counts: { total: 2, succeeded: 2 } });
    expect(data.jobs.write.outputs.result).toBe('Echo: write up: Echo: research tides');
    const root = await bed.user.getSession(data.root_session_id);
    expect(root.parent_session_id).toBe(me.session_id);
    expect(root.root_session_id).toBe(me.root_session_id);
    const run = await bed.user.getWorkflowRun(data.workflow_run_id);
    expect(run.trigger).toBe('mcp');
    const read = toolData(await client.callTool({ name: 'get_workflow_run', arguments: { workflow_run_id: data.workflow_run_id } }));
    expect(read.status).toBe('succeeded');

    // Without wait: the id at once.
    const quick = toolData(await client.callTool({ name: 'start_workflow', arguments: { workflow: 'mcp-flow', inputs: { topic: 'x' } } }));
    expect(quick.workflow_run_id).toMatch(/^wfr_/);
  });

  it('refuses an unknown workflow, bad inputs, and a workflow run of another tree, naming what is wrong', async () => {
    const me = await bed.liveSession('orchestrate');
    const client = await bed.client(me.session_id);
    const unknown = await client.callTool({ name: 'start_workflow', arguments: { workflow: 'nope' } });
    expect(unknown.isError).toBe(true);
    expect(toolData(unknown)).toMatch(/workflow nope not found; known: mcp-flow/);
    const missing = await client.callTool({ name: 'start_workflow', arguments: { workflow: 'mcp-flow' } });
    expect(toolData(missing)).toMatch(/inputs\.topic: is required/);
    const typed = await client.callTool({ name: 'start_workflow', arguments: { workflow: 'mcp-flow', inputs: { topic: 3, extra: true } } });
    expect(toolData(typed)).toMatch(/inputs\.extra: unknown input \(declared: topic\); inputs\.topic: must be a string/);
    const other = await bed.user.startWorkflowRun({ workflow: 'mcp-flow', inputs: { topic: 'theirs' } });
    const foreign = await client.callTool({ name: 'get_workflow_run', arguments: { workflow_run_id: other.workflow_run_id } });
    expect(foreign.isError).toBe(true);
    expect(toolData(foreign)).toBe(`workflow run ${other.workflow_run_id} is not in your tree`);
  });
});
