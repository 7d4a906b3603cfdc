import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { sessionToken } from '../../lib/mcp/session-token.js';

/** An MCP client of a runner's endpoint, calling as the agent of `sessionId` (its header and token). */
export async function connectMcp(url: string, sessionId: string, secret: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { 'X-Agent-Session-Id': sessionId, Authorization: `Bearer ${sessionToken(secret, sessionId)}` } },
  });
  const client = new Client({ name: 'bench', version: '1.0.0' });
  await client.connect(transport);
  return client;
}
