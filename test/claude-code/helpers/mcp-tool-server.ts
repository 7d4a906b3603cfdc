import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

export interface ToolCall {
  args: { key: string };
  headers: IncomingHttpHeaders;
}

export interface McpToolServer {
  url: string;
  /** Every call of the `lookup` tool, with the HTTP headers of its request. */
  calls: ToolCall[];
  /** Headers of every HTTP request (initialize, list, call...). */
  requestHeaders: IncomingHttpHeaders[];
  close(): Promise<void>;
}

/**
 * A small MCP server over streamable HTTP (stateless: a server and transport per request) on 127.0.0.1,
 * with one tool, `lookup`, that answers `value of <key>: <answers[key]>`.
 */
export async function startMcpToolServer(answers: Record<string, string>): Promise<McpToolServer> {
  const calls: ToolCall[] = [];
  const requestHeaders: IncomingHttpHeaders[] = [];
  const http: Server = createServer((req, res) => {
    requestHeaders.push(req.headers);
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    const server = new McpServer({ name: 'test-tools', version: '1.0.0' });
    server.registerTool(
      'lookup',
      { description: 'Look up the value stored under a key.', inputSchema: { key: z.string() } },
      async ({ key }) => {
        calls.push({ args: { key }, headers: req.headers });
        return { content: [{ type: 'text', text: `value of ${key}: ${answers[key] ?? 'unknown'}` }] };
      },
    );
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
    calls,
    requestHeaders,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
