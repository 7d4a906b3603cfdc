// GET /v1/agents/:name/mcp and POST /v1/agents/:name/mcp/:server/call over HTTP: the coordinator lists an
// agent's MCP servers' tools with the official MCP client (a loopback server of the test's own), calls one,
// and says per server what it could not reach; malformed and hostile requests get a 400 naming the field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listAgentTools } from '../../coordinator/agents/mcp-tools.js';
import { AgentMcpSchema, McpToolResultSchema } from '../../protocol/agent-mcp.js';
import { type Api, startTestCoordinator } from './helpers.js';
import { deadUrl, HOSTILE_TEXT, type McpTestServer, startMcpSseTestServer, startMcpTestServer } from './mcp-test-server.js';

describe('agent MCP tools over HTTP', () => {
  let t: Awaited<ReturnType<typeof startTestCoordinator>>;
  let api: Api;
  let mcp: McpTestServer;
  let down: string;

  beforeAll(async () => {
    mcp = await startMcpTestServer();
    down = await deadUrl();
    t = await startTestCoordinator('sqlite', { apiToken: 'api-secret' });
    api = (method, path, body, token = 'api-secret') => t.api(method, path, body, token);
    const put = await api('PUT', '/v1/agents/toolsmith', {
      executor: 'scripted',
      mcp_servers: {
        tools: { type: 'http', url: mcp.url, headers: { 'x-api-key': 'for-tools-only' } },
        down: { url: down },
        local: { command: 'rm', args: ['-rf', '/'] },
        orchestrator: { type: 'http', url: 'http://127.0.0.1:9/mcp', headers: { 'x-session': '${session.id}' } },
        secret: { type: 'http', url: mcp.url, headers: { authorization: 'Bearer ${env.GITHUB_TOKEN}' } },
      },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(201);
    expect((await api('PUT', '/v1/agents/plain', { executor: 'scripted' })).status).toBe(201);
  }, 30_000);
  afterAll(async () => {
    await t?.stop();
    await mcp?.close();
  });

  it('lists each server: its tools across pages, or why it could not be reached', async () => {
    const res = await api('GET', '/v1/agents/toolsmith/mcp');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const view = AgentMcpSchema.parse(res.body);
    const by = Object.fromEntries(view.servers.map((s) => [s.server, s]));
    expect(view.servers.map((s) => s.server)).toEqual(['tools', 'down', 'local', 'orchestrator', 'secret']);
    expect(by.tools).toMatchObject({ transport: 'http', url: mcp.url });
    expect(by.tools!.error).toBeUndefined();
    expect(by.tools!.tools.map((tool) => tool.name)).toEqual(['echo', 'fail', 'hostile']);
    expect(by.tools!.tools[0]).toEqual({
      name: 'echo',
      title: null,
      description: 'Say the text back.',
      input_schema: { type: 'object', properties: { text: { type: 'string' }, times: { type: 'integer' } }, required: ['text'] },
    });
    // Server-provided text comes back as data, unchanged (the page escapes it).
    expect(by.tools!.tools[2]!.description).toBe(HOSTILE_TEXT);
    expect(by.down!.tools).toEqual([]);
    expect(by.down!.error).toMatch(/"down" at http:\/\/127\.0\.0\.1:\d+\/mcp: .*ECONNREFUSED/);
    expect(by.local).toMatchObject({ transport: 'stdio', url: null, tools: [], error: '"local" is a stdio server: stdio servers run on the runner; the coordinator does not start commands' });
    expect(by.orchestrator!.error).toBe('"orchestrator" uses ${session.id}, which only a runner resolves when a session runs; the coordinator cannot reach it');
    expect(by.secret!.error).toContain('${env.GITHUB_TOKEN}');
    // The agent's headers went to its server (and the answer never shows them).
    expect(mcp.requestHeaders.some((h) => h['x-api-key'] === 'for-tools-only')).toBe(true);
    expect(mcp.requestHeaders.every((h) => h.authorization === undefined)).toBe(true);
    expect(JSON.stringify(res.body)).not.toContain('for-tools-only');
  });

  it('an agent without MCP servers lists none; an unknown agent is a 404 with a suggestion', async () => {
    expect((await api('GET', '/v1/agents/plain/mcp')).body).toEqual({ agent: 'plain', servers: [] });
    const unknown = await api('GET', '/v1/agents/toolsmit/mcp');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toBe('no agent named "toolsmit" (did you mean "toolsmith"?)');
  });

  it('calls a tool: its content and structured content; a tool error is is_error, not a failed request', async () => {
    const ok = await api('POST', '/v1/agents/toolsmith/mcp/tools/call', { tool: 'echo', arguments: { text: 'hi', times: 2 } });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(McpToolResultSchema.parse(ok.body)).toEqual({
      server: 'tools',
      tool: 'echo',
      content: [{ type: 'text', text: 'hi hi' }],
      is_error: false,
      structured_content: { text: 'hi', times: 2 },
    });
    expect(mcp.calls.at(-1)).toEqual({ name: 'echo', arguments: { text: 'hi', times: 2 } });

    const failed = await api('POST', '/v1/agents/toolsmith/mcp/tools/call', { tool: 'fail' });
    expect(failed.status).toBe(200);
    expect(failed.body).toEqual({ server: 'tools', tool: 'fail', content: [{ type: 'text', text: 'the tool failed on purpose' }], is_error: true });
    expect(mcp.calls.at(-1)).toEqual({ name: 'fail', arguments: {} });
  });

  it('a server that refuses the call, or is down, is a 502 naming it; stdio and runner-side servers a 409', async () => {
    const unknownTool = await api('POST', '/v1/agents/toolsmith/mcp/tools/call', { tool: 'nope', arguments: {} });
    expect(unknownTool.status).toBe(502);
    expect(unknownTool.body.error).toMatchObject({ code: 'upstream_failed', details: { agent: 'toolsmith', server: 'tools' } });
    expect(unknownTool.body.error.message).toContain('unknown tool nope');

    const gone = await api('POST', '/v1/agents/toolsmith/mcp/down/call', { tool: 'echo', arguments: {} });
    expect(gone.status).toBe(502);
    expect(gone.body.error.message).toMatch(/^"down" at .*ECONNREFUSED/);

    const stdio = await api('POST', '/v1/agents/toolsmith/mcp/local/call', { tool: 'anything' });
    expect(stdio.status).toBe(409);
    expect(stdio.body.error.message).toContain('stdio servers run on the runner');
    const runnerSide = await api('POST', '/v1/agents/toolsmith/mcp/orchestrator/call', { tool: 'anything' });
    expect(runnerSide.status).toBe(409);
    expect(runnerSide.body.error.message).toContain('${session.id}');
  });

  it('unknown servers and agents are 404s naming them', async () => {
    const server = await api('POST', '/v1/agents/toolsmith/mcp/tool/call', { tool: 'echo' });
    expect(server.status).toBe(404);
    expect(server.body.error.message).toBe('agent "toolsmith" has no MCP server "tool" (did you mean "tools"?)');
    const none = await api('POST', '/v1/agents/plain/mcp/tools/call', { tool: 'echo' });
    expect(none.status).toBe(404);
    expect(none.body.error.message).toBe('agent "plain" has no MCP server "tools" (it has none)');
    const agent = await api('POST', '/v1/agents/ghost/mcp/tools/call', { tool: 'echo' });
    expect(agent.status).toBe(404);
    expect(agent.body.error.message).toContain('no agent named "ghost"');
  });

  it('malformed and hostile bodies: a 400 naming the field, nothing called', async () => {
    const before = mcp.calls.length;
    const call = (body: unknown) => api('POST', '/v1/agents/toolsmith/mcp/tools/call', body);
    const pathsOf = (res: { body: { error: { details: { issues: { path: string }[] } } } }) => res.body.error.details.issues.map((i) => i.path);
    for (const [body, path] of [
      [{ tool: 'echo', arguments: [] }, 'arguments'],
      [{ tool: 'echo', arguments: 'text=hi' }, 'arguments'],
      [{ tool: 'echo', arguments: null }, 'arguments'],
      [{ arguments: {} }, 'tool'],
      [{ tool: '' }, 'tool'],
      [{ tool: 42 }, 'tool'],
      [{ tool: 'x'.repeat(513) }, 'tool'],
      [{ tool: 'echo', args: {} }, '(root)'],
      [[], '(root)'],
      [{ tool: 'echo\u0000' }, 'tool'],
    ] as const) {
      const res = await call(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
      expect(pathsOf(res), JSON.stringify(res.body)).toContain(path);
    }
    const unknownField = await call({ tool: 'echo', args: {} });
    expect(unknownField.body.error.message).toContain('args');
    const notJson = await call('{"tool": ');
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.code).toBe('invalid_json');
    const deep = await call(`{"tool":"echo","arguments":${'{"a":'.repeat(100)}1${'}'.repeat(100)}}`);
    expect(deep.status).toBe(400);
    expect(mcp.calls.length).toBe(before);
  });

  it('is behind the API token, like all of /v1', async () => {
    expect((await api('GET', '/v1/agents/toolsmith/mcp', undefined, 'wrong')).status).toBe(401);
    const res = await fetch(`${t.url}/v1/agents/toolsmith/mcp/tools/call`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"tool":"echo"}' });
    expect(res.status).toBe(401);
  });

  it('a server that never answers is time-boxed: its error says so, the others still list', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/mcp`;
      const started = Date.now();
      const servers = await listAgentTools({ silent: { url }, tools: { url: mcp.url } }, 500);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(servers[0]).toEqual({ server: 'silent', transport: 'http', url, tools: [], error: '"silent" did not answer within 500 ms' });
      expect(servers[1]!.tools.map((tool) => tool.name)).toEqual(['echo', 'fail', 'hostile']);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('an answer larger than the limit is refused, not held', async () => {
    const servers = await listAgentTools({ tools: { url: mcp.url } }, 5_000, 200);
    expect(servers[0]!.tools).toEqual([]);
    expect(servers[0]!.error).toContain('larger than 200 bytes');
  });

  it('reaches an SSE server (type: "sse"): lists and calls, with its headers', async () => {
    const sse = await startMcpSseTestServer();
    try {
      expect((await api('PUT', '/v1/agents/old-school', { mcp_servers: { legacy: { type: 'sse', url: sse.url, headers: { 'x-api-key': 'sse-key' } } } })).status).toBe(201);
      const listed = await api('GET', '/v1/agents/old-school/mcp');
      expect(listed.body.servers[0]).toMatchObject({ server: 'legacy', transport: 'sse', url: sse.url });
      expect(listed.body.servers[0].error).toBeUndefined();
      expect(listed.body.servers[0].tools.map((tool: { name: string }) => tool.name)).toEqual(['echo', 'fail', 'hostile']);
      const called = await api('POST', '/v1/agents/old-school/mcp/legacy/call', { tool: 'echo', arguments: { text: 'sse' } });
      expect(called.status, JSON.stringify(called.body)).toBe(200);
      expect(called.body.content).toEqual([{ type: 'text', text: 'sse' }]);
      expect(sse.requestHeaders.length).toBeGreaterThan(0);
      expect(sse.requestHeaders.every((h) => h['x-api-key'] === 'sse-key')).toBe(true);
    } finally {
      await sse.close();
    }
  });
});
