import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike, Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { McpServerTools, McpTool, McpToolResult } from '../../protocol/agent-mcp.js';
import { McpServerConfigSchema } from '../../protocol/invocation.js';

/** How long the coordinator gives one MCP server to connect and answer (listing all its pages, or one call). */
export const MCP_SERVER_TIME_BOX_MS = 10_000;
/** At most this many pages of `tools/list` are read from one server (a server whose cursor never ends stops here). */
export const MCP_MAX_TOOL_PAGES = 50;
/** Most bytes the coordinator reads of one answer of an MCP server (a tool list, a call's result, an SSE stream). */
export const MCP_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
const MAX_MESSAGE = 500;

/** fetch whose answers' bodies fail once they pass `maxBytes` (a server cannot make the coordinator hold an endless answer). */
export function sizeLimitedFetch(maxBytes: number): FetchLike {
  return async (url, init) => {
    const response = await fetch(url, init);
    if (response.body === null) return response;
    let seen = 0;
    const limit = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > maxBytes) controller.error(new Error(`the server's answer is larger than ${maxBytes} bytes`));
        else controller.enqueue(chunk);
      },
    });
    return new Response(response.body.pipeThrough(limit), { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

/** A server the coordinator can reach: its transport and URL with the literal `$${` written as `${`, and its headers. */
export interface ReachableServer {
  server: string;
  transport: 'http' | 'sse';
  url: string;
  headers: Record<string, string>;
}

/** A server the coordinator will not connect to, and why (said to the user as it is). */
export interface UnreachableServer {
  server: string;
  transport: 'http' | 'sse' | 'stdio';
  url: string | null;
  reason: string;
}

/** Why a call or listing failed: the server's own failure (502) or its silence past the time box (504). */
export class McpServerError extends Error {
  override name = 'McpServerError';
  constructor(
    message: string,
    readonly timedOut: boolean,
  ) {
    super(message);
  }
}

const PLACEHOLDER = /\$?\$\{([^}]*)\}/g;

/** The runner-side placeholders in `text` (`${runner.mcp_url}`, `${env.X}`...), and `text` with `$${` written as `${`. */
function placeholdersIn(text: string): { text: string; found: string[] } {
  const found: string[] = [];
  const out = text.replace(PLACEHOLDER, (match: string) => {
    if (match.startsWith('$$')) return match.slice(1);
    found.push(match);
    return match;
  });
  return { text: out, found };
}

/**
 * Decide how (or whether) the coordinator reaches one of an agent's MCP servers. Pure. Refused: stdio
 * servers (a command the runner starts; the coordinator starts no command), configurations with
 * placeholders only a runner resolves at run time (its MCP endpoint, the session id, its environment),
 * URLs that are not http(s), and entries that are not a valid MCP server configuration.
 */
export function reachServer(server: string, config: unknown): ReachableServer | UnreachableServer {
  const parsed = McpServerConfigSchema.safeParse(config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { server, transport: 'http', url: null, reason: `not a valid MCP server configuration: ${issue?.message ?? 'invalid'}` };
  }
  const c = parsed.data;
  const transport = c.type ?? (c.command !== undefined ? 'stdio' : 'http');
  if (transport === 'stdio') {
    return { server, transport, url: null, reason: `"${server}" is a stdio server: stdio servers run on the runner; the coordinator does not start commands` };
  }
  const url = placeholdersIn(c.url ?? '');
  const headers: Record<string, string> = {};
  const found = [...url.found];
  for (const [name, value] of Object.entries(c.headers ?? {})) {
    const resolved = placeholdersIn(value);
    found.push(...resolved.found);
    headers[name] = resolved.text;
  }
  if (found.length > 0) {
    const names = [...new Set(found)].join(', ');
    return { server, transport, url: c.url ?? null, reason: `"${server}" uses ${names}, which only a runner resolves when a session runs; the coordinator cannot reach it` };
  }
  let protocol = '';
  try {
    protocol = new URL(url.text).protocol;
  } catch {
    return { server, transport, url: url.text, reason: `"${server}" has no valid URL` };
  }
  if (protocol !== 'http:' && protocol !== 'https:') return { server, transport, url: url.text, reason: `"${server}": only http and https URLs are reached (not ${protocol})` };
  return { server, transport, url: url.text, headers };
}

export const isReachable = (s: ReachableServer | UnreachableServer): s is ReachableServer => !('reason' in s);

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error).slice(0, MAX_MESSAGE);
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : '';
  const text = detail !== '' && !error.message.includes(detail) ? `${error.message} (${detail})` : error.message;
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text;
}

function transportOf(target: ReachableServer, maxBytes: number): Transport {
  // The agent's headers go to this server only: the SDK follows a redirect only within the same origin.
  const options = { requestInit: { headers: target.headers }, redirectPolicy: 'same-origin' as const, fetch: sizeLimitedFetch(maxBytes) };
  const url = new URL(target.url);
  return target.transport === 'sse' ? new SSEClientTransport(url, options) : new StreamableHTTPClientTransport(url, options);
}

/**
 * Connect to `target` with the official MCP client, run `work`, close; all within `timeBoxMs`.
 * @throws McpServerError naming what failed (never the headers).
 */
async function withClient<T>(target: ReachableServer, timeBoxMs: number, maxBytes: number, work: (client: Client, options: RequestOptions) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  const client = new Client({ name: 'agent-runner-coordinator', version: '1' });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new McpServerError(`"${target.server}" did not answer within ${timeBoxMs < 1000 ? `${timeBoxMs} ms` : `${Math.round(timeBoxMs / 1000)} s`}`, true));
    }, timeBoxMs);
  });
  const options: RequestOptions = { signal: abort.signal, timeout: timeBoxMs };
  try {
    return await Promise.race([
      (async () => {
        await client.connect(transportOf(target, maxBytes), options);
        return work(client, options);
      })(),
      timeout,
    ]);
  } catch (error) {
    if (error instanceof McpServerError) throw error;
    throw new McpServerError(`"${target.server}" at ${target.url}: ${describeError(error)}`, false);
  } finally {
    clearTimeout(timer);
    await client.close().catch(() => undefined);
  }
}

/** List every tool of `target` (following `nextCursor`, at most MCP_MAX_TOOL_PAGES pages). */
export function listServerTools(target: ReachableServer, timeBoxMs = MCP_SERVER_TIME_BOX_MS, maxBytes = MCP_MAX_RESPONSE_BYTES): Promise<McpTool[]> {
  return withClient(target, timeBoxMs, maxBytes, async (client, options) => {
    const tools: McpTool[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MCP_MAX_TOOL_PAGES; page++) {
      const answer = await client.listTools(cursor === undefined ? {} : { cursor }, options);
      for (const tool of answer.tools) {
        tools.push({ name: tool.name, title: tool.title ?? null, description: tool.description ?? null, input_schema: tool.inputSchema });
      }
      cursor = answer.nextCursor;
      if (cursor === undefined) break;
    }
    return tools;
  });
}

/** Each server of an agent's `mcp_servers` with its tools or its error; servers are reached in parallel. */
export function listAgentTools(servers: Record<string, unknown>, timeBoxMs = MCP_SERVER_TIME_BOX_MS, maxBytes = MCP_MAX_RESPONSE_BYTES): Promise<McpServerTools[]> {
  return Promise.all(
    Object.entries(servers).map(async ([server, config]): Promise<McpServerTools> => {
      const target = reachServer(server, config);
      if (!isReachable(target)) return { server, transport: target.transport, url: target.url, tools: [], error: target.reason };
      try {
        return { server, transport: target.transport, url: target.url, tools: await listServerTools(target, timeBoxMs, maxBytes) };
      } catch (error) {
        return { server, transport: target.transport, url: target.url, tools: [], error: error instanceof McpServerError ? error.message : describeError(error) };
      }
    }),
  );
}

/** Call one tool of `target` with `args`. A tool that reports an error answers `is_error: true`; a server that fails throws McpServerError. */
export function callServerTool(target: ReachableServer, tool: string, args: Record<string, unknown>, timeBoxMs = MCP_SERVER_TIME_BOX_MS, maxBytes = MCP_MAX_RESPONSE_BYTES): Promise<McpToolResult> {
  return withClient(target, timeBoxMs, maxBytes, async (client, options) => {
    const answer = await client.callTool({ name: tool, arguments: args }, undefined, options);
    const result: McpToolResult = {
      server: target.server,
      tool,
      content: Array.isArray(answer.content) ? answer.content : [],
      is_error: answer.isError === true,
    };
    if (answer.structuredContent !== undefined) result.structured_content = answer.structuredContent;
    return result;
  });
}
