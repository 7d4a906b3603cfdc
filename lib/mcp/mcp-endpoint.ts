import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MCP_PATH, type McpEndpointOptions } from './endpoint-options.js';
import type { McpHandler } from './mcp-handler.js';
import { jsonRpcError } from './request-auth.js';

export interface RunningMcpEndpoint {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Serve the session-scoped MCP endpoint over Streamable HTTP. Stateless: each POST gets its own MCP
 * server and transport, so nothing is lost when the runner restarts and clients never re-initialise.
 */
export async function startMcpEndpoint(options: McpEndpointOptions): Promise<RunningMcpEndpoint> {
  const log = options.logger.child({ component: 'mcp' });
  // The MCP SDK, the tools and the coordinator clients load on the first request: an idle runner
  // whose agents never call the endpoint does not carry them (about 20 MB of RSS).
  let handler: Promise<McpHandler> | undefined;
  const loadHandler = () => (handler ??= import('./mcp-handler.js').then((m) => m.createMcpHandler(options)));

  const http: Server = createServer((req, res) => {
    loadHandler().then((h) => h.handle(req, res)).catch((error: Error) => {
      log.error({ err: error.message }, 'MCP request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end(jsonRpcError(`internal error: ${error.message}`, -32603));
      else res.end();
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, host, () => (http.off('error', reject), resolve()));
  });
  const port = (http.address() as AddressInfo).port;
  const url = `http://${host}:${port}${MCP_PATH}`;
  log.info({ url }, 'MCP endpoint listening');
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          http.close(() => resolve());
          http.closeAllConnections();
        });
        if (handler !== undefined) await (await handler).close();
      })();
      return closing;
    },
  };
}
