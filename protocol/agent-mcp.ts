import { z } from 'zod';
import './zod-config.js';

/** How the coordinator reaches an MCP server of an agent: streamable HTTP, SSE, or (refused) stdio. */
export const MCP_TRANSPORTS = ['http', 'sse', 'stdio'] as const;

/** One tool an MCP server lists: its name, description (server-provided text: show it escaped) and JSON Schema of its arguments. */
export const McpToolSchema = z.looseObject({
  name: z.string(),
  title: z.string().nullable().describe('The tool\'s display title, if the server gives one.'),
  description: z.string().nullable(),
  input_schema: z.unknown().describe('The JSON Schema of the tool\'s arguments, as the server gave it.'),
});
export type McpTool = z.infer<typeof McpToolSchema>;

/** One of an agent's `mcp_servers` as the coordinator found it: its tools, or the error it got. */
export const McpServerToolsSchema = z.looseObject({
  server: z.string().describe('The key of the server in the agent\'s `mcp_servers`.'),
  transport: z.enum(MCP_TRANSPORTS),
  url: z.string().nullable().describe('The URL the coordinator connects to (null for stdio); headers are never shown.'),
  tools: z.array(McpToolSchema),
  error: z.string().optional().describe('Why the tools could not be listed (unreachable, time-boxed out, stdio, runner-side placeholders...).'),
});
export type McpServerTools = z.infer<typeof McpServerToolsSchema>;

/** `GET /v1/agents/:name/mcp`: each of the agent's MCP servers with its tools (servers listed in parallel, each time-boxed). */
export const AgentMcpSchema = z.looseObject({
  agent: z.string(),
  servers: z.array(McpServerToolsSchema),
});
export type AgentMcp = z.infer<typeof AgentMcpSchema>;

/** The body of `POST /v1/agents/:name/mcp/:server/call`: the tool and its arguments (a JSON object; `{}` when left out). */
export const McpToolCallSchema = z.strictObject({
  tool: z.string({ message: 'must be the name of a tool (a string)' }).min(1, { message: 'must name a tool' }).max(512, { message: 'must be at most 512 characters' }),
  arguments: z.record(z.string(), z.unknown(), { message: 'must be a JSON object' }).optional(),
});
export type McpToolCall = z.infer<typeof McpToolCallSchema>;

/** What calling a tool answered: its content blocks, whether the tool reported an error, its structured content. */
export const McpToolResultSchema = z.looseObject({
  server: z.string(),
  tool: z.string(),
  content: z.array(z.unknown()).describe('MCP content blocks (`{type: "text", text}`, images, resources...), as the server gave them.'),
  is_error: z.boolean().describe('true: the tool ran and reported an error (the call itself worked).'),
  structured_content: z.unknown().optional(),
});
export type McpToolResult = z.infer<typeof McpToolResultSchema>;
