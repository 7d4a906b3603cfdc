import { type ChildProcess, spawn } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { sessionToken } from '../../lib/mcp/session-token.js';
import { BIN, FIXTURE_EXECUTORS } from '../../test/helpers/fixtures.js';

/** MCP for the benches: a client of a runner's endpoint, and a runner daemon to serve one. */

/** An MCP client of a runner's endpoint, calling as the agent of `sessionId` (its header and token). */
export async function connectMcp(url: string, sessionId: string, secret: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { 'X-Agent-Session-Id': sessionId, Authorization: `Bearer ${sessionToken(secret, sessionId)}` } },
  });
  const client = new Client({ name: 'bench', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

/**
 * Start the runner daemon with its embedded coordinator in `cwd` (the test fixture executors, 16 slots) and
 * resolve with the process and its MCP URL once it listens and registered.
 */
export async function startEmbeddedRunner(cwd: string, localPort: number): Promise<{ child: ChildProcess; mcpUrl: string }> {
  const child = spawn(process.execPath, [BIN, '--executors-dir', FIXTURE_EXECUTORS, '--concurrency', '16'], {
    cwd,
    env: { ...process.env, AGENT_RUNNER_LOCAL_PORT: String(localPort), AGENT_RUNNER_LOG_LEVEL: 'info', VITEST: undefined },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const mcpUrl = await new Promise<string>((resolve, reject) => {
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      stderr += chunk;
      const match = /"url":"(http:\/\/[^"]+\/mcp)"/.exec(stderr);
      if (match !== null && stderr.includes('registered with the coordinator')) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`agent-runner exited with ${code}: ${stderr}`)));
  });
  return { child, mcpUrl };
}
