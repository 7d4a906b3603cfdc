import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { McpTestBed, toolData } from './harness.js';

const TOOLS = [
  'ask_user', 'escalate_decision', 'get_agent_session', 'get_fleet_status', 'get_workflow_run', 'list_agent_sessions', 'list_agents', 'report_progress', 'report_result',
  'request_approval', 'resume_agent_session', 'select_model', 'start_agent_session', 'start_workflow', 'stop_agent_session', 'wait_for_agent_sessions',
];

/** POST one JSON-RPC initialize request with the given headers. */
async function rawInitialize(url: string, headers: Record<string, string>) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }),
  });
  const text = await res.text();
  return { status: res.status, text, body: (res.status === 200 ? {} : JSON.parse(text)) as { jsonrpc: string; error?: { code: number; message: string } } };
}

describe('the MCP endpoint: authentication', () => {
  let bed: McpTestBed;
  beforeEach(async () => (bed = await McpTestBed.start()));
  afterEach(async () => bed.close());

  it('lists every tool, each with a description and an input JSON Schema, to a session with its token', async () => {
    const session = await bed.liveSession();
    const client = await bed.client(session.session_id);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(TOOLS);
    for (const tool of tools) {
      expect(tool.description?.length).toBeGreaterThan(20);
      expect(tool.inputSchema.type).toBe('object');
    }
    const start = tools.find((t) => t.name === 'start_agent_session')!;
    expect(start.inputSchema.required).toEqual(['prompt']);
    expect((start.inputSchema.properties as Record<string, { enum?: string[] }>).mode!.enum).toEqual(['sync', 'async', 'callback']);
  });

  it('refuses a missing session header or token (401), a wrong token or an unknown session (403), with a JSON-RPC error body', async () => {
    const session = await bed.liveSession();
    const other = await bed.endedSession();
    const token = bed.token(session.session_id);
    const cases: Array<[Record<string, string>, number, RegExp]> = [
      [{ Authorization: `Bearer ${token}` }, 401, /X-Agent-Session-Id/],
      [{ 'X-Agent-Session-Id': session.session_id }, 401, /Bearer/],
      [{ 'X-Agent-Session-Id': other.session_id, Authorization: `Bearer ${token}` }, 403, /not the token/],
      [{ 'X-Agent-Session-Id': session.session_id, Authorization: `Bearer ${'0'.repeat(64)}` }, 403, /not the token/],
      [{ 'X-Agent-Session-Id': 'ses_forged', Authorization: `Bearer ${bed.token('ses_forged')}` }, 403, /unknown/],
    ];
    for (const [headers, status, message] of cases) {
      const res = await rawInitialize(bed.mcpUrl, headers);
      expect(res.status).toBe(status);
      expect(res.body.jsonrpc).toBe('2.0');
      expect(res.body.error?.code).toBe(-32001);
      expect(res.body.error?.message).toMatch(message);
    }
    const ok = await rawInitialize(bed.mcpUrl, { 'X-Agent-Session-Id': session.session_id, Authorization: `Bearer ${token}` });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('agent-runner-orchestrator');
  });

  it('refuses the official client with a forged token', async () => {
    const session = await bed.endedSession();
    await expect(bed.client(session.session_id, { 'X-Agent-Session-Id': session.session_id, Authorization: 'Bearer forged' })).rejects.toThrow(/403|not the token/);
  });

  it('answers GET with 405 (stateless) and other paths with 404', async () => {
    expect((await fetch(bed.mcpUrl)).status).toBe(405);
    expect((await fetch(bed.mcpUrl.replace('/mcp', '/other'), { method: 'POST' })).status).toBe(404);
  });

  it('get_agent_session shows the caller itself', async () => {
    const session = await bed.liveSession('me');
    const client = await bed.client(session.session_id);
    const result = await client.callTool({ name: 'get_agent_session', arguments: { session_id: session.session_id } });
    expect(result.isError).toBeFalsy();
    expect(toolData(result)).toMatchObject({ session_id: session.session_id, status: 'queued', executor: 'test-executor' });
  });

  it('keeps working across a runner restart: the same client calls on without re-initialising', async () => {
    const session = await bed.liveSession('me');
    const client = await bed.client(session.session_id);
    const call = () => client.callTool({ name: 'get_agent_session', arguments: { session_id: session.session_id } });
    expect(toolData(await call()).status).toBe('queued');
    const url = bed.mcpUrl;
    await bed.restartRunner();
    expect(bed.mcpUrl).toBe(url);
    const again = await call();
    expect(again.isError).toBeFalsy();
    expect(toolData(again)).toMatchObject({ session_id: session.session_id, status: 'queued' });
  });
});

describe('the orchestrator entry in the blueprint', () => {
  let bed: McpTestBed;
  beforeEach(async () => (bed = await McpTestBed.start()));
  afterEach(async () => bed.close());

  it('is added with the session header and token, also for a run without an agent, unless the blueprint opts out', async () => {
    await bed.coordinator.store.putAgent({ name: 'plain', executor: 'mcp-driver' }, Date.now());
    await bed.coordinator.store.putAgent({ name: 'private', executor: 'mcp-driver', orchestrator_mcp: false, mcp_servers: {} }, Date.now());
    const script = JSON.stringify({ steps: [{ tool: 'get_agent_session', args: { session_id: '$self' } }] });
    for (const agent of ['plain', undefined]) {
      const { session_id } = await bed.user.createSession({ ...(agent === undefined ? { executor: 'mcp-driver' } : { agent }), prompt: script });
      const view = await bed.waitEnded(session_id);
      const [call] = (view.result?.result_data as { calls: Array<{ is_error: boolean; data: { session_id: string } }> }).calls;
      expect(call).toMatchObject({ is_error: false, data: { session_id } });
    }
    const bad = await fetch(`${bed.coordinator.url}/v1/agents/odd`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'odd', orchestrator_mcp: 'no' }),
    });
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(await bad.text()).toContain('orchestrator_mcp must be true or false');
    const { session_id } = await bed.user.createSession({ agent: 'private', prompt: script });
    expect((await bed.waitEnded(session_id)).result).toMatchObject({ result_text: 'no orchestrator MCP server in the blueprint', is_error: true });
  });
});
