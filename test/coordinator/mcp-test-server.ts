// A loopback MCP server for the agent MCP tests: streamable HTTP on 127.0.0.1 (node:http, the official
// SDK's server, stateless: a server and transport per request), tools listed one per page (so a client must
// follow `nextCursor`), and the HTTP headers of every request kept.
import { createServer, type IncomingHttpHeaders, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';

/** Text an agent's tool may describe itself with, meant to run as HTML if a page ever trusted it. */
export const HOSTILE_TEXT = '<img src=x onerror=alert(1)><script>alert(2)</script>';

export interface McpTestServer {
  url: string;
  /** Headers of every HTTP request (initialize, list, call...). */
  requestHeaders: IncomingHttpHeaders[];
  /** Every tool call, as the server got it. */
  calls: { name: string; arguments: unknown }[];
  close(): Promise<void>;
}

const TOOLS: Tool[] = [
  {
    name: 'echo',
    description: 'Say the text back.',
    inputSchema: { type: 'object', properties: { text: { type: 'string' }, times: { type: 'integer' } }, required: ['text'] },
  },
  { name: 'fail', description: 'Always reports an error.', inputSchema: { type: 'object', properties: {} } },
  { name: 'hostile', description: HOSTILE_TEXT, inputSchema: { type: 'object', properties: {} } },
];

function call(name: string, args: Record<string, unknown>): CallToolResult {
  switch (name) {
    case 'echo': {
      const text = String(args.text ?? '');
      const times = typeof args.times === 'number' ? args.times : 1;
      return { content: [{ type: 'text', text: Array(times).fill(text).join(' ') }], structuredContent: { text, times } };
    }
    case 'fail':
      return { content: [{ type: 'text', text: 'the tool failed on purpose' }], isError: true };
    case 'hostile':
      return { content: [{ type: 'text', text: HOSTILE_TEXT }] };
  }
  throw new McpError(ErrorCode.InvalidParams, `unknown tool ${name}`);
}

/** The SDK's server with the test's tools (listed one per page). */
function toolServer(offered: Tool[], calls: { name: string; arguments: unknown }[]): Server {
  const server = new Server({ name: 'test-tools', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, (request) => {
    const at = Number(request.params?.cursor ?? '0');
    const page = offered.slice(at, at + 1);
    return at + 1 < offered.length ? { tools: page, nextCursor: String(at + 1) } : { tools: page };
  });
  server.setRequestHandler(CallToolRequestSchema, (request) => {
    calls.push({ name: request.params.name, arguments: request.params.arguments });
    return call(request.params.name, request.params.arguments ?? {});
  });
  return server;
}

/** The same tools over the older SSE transport: GET /sse opens the stream, POST /messages?sessionId= carries requests. */
export async function startMcpSseTestServer(): Promise<McpTestServer> {
  const requestHeaders: IncomingHttpHeaders[] = [];
  const calls: { name: string; arguments: unknown }[] = [];
  const transports = new Map<string, SSEServerTransport>();
  const http: HttpServer = createServer((req, res) => {
    requestHeaders.push(req.headers);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === '/sse') {
      const transport = new SSEServerTransport('/messages', res);
      transports.set(transport.sessionId, transport);
      res.on('close', () => transports.delete(transport.sessionId));
      void toolServer(TOOLS, calls).connect(transport);
      return;
    }
    const transport = transports.get(url.searchParams.get('sessionId') ?? '');
    if (req.method !== 'POST' || url.pathname !== '/messages' || transport === undefined) {
      res.writeHead(404).end();
      return;
    }
    void transport.handlePostMessage(req, res);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/sse`,
    requestHeaders,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

/** Start the server; `tools` limits which of echo, fail and hostile it offers. */
export async function startMcpTestServer(tools: string[] = ['echo', 'fail', 'hostile']): Promise<McpTestServer> {
  const requestHeaders: IncomingHttpHeaders[] = [];
  const calls: { name: string; arguments: unknown }[] = [];
  const offered = TOOLS.filter((t) => tools.includes(t.name));
  const http: HttpServer = createServer((req, res) => {
    requestHeaders.push(req.headers);
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    const server = toolServer(offered, calls);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    void server.connect(transport).then(() => transport.handleRequest(req, res));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    requestHeaders,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

/** A loopback URL nothing listens on (a port that was just free). */
export async function deadUrl(): Promise<string> {
  const http = createServer();
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  await new Promise<void>((resolve) => http.close(() => resolve()));
  return `http://127.0.0.1:${port}/mcp`;
}
