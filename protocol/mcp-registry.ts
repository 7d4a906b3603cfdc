/**
 * The coordinator's registry of named MCP servers (`--mcp-servers FILE`, docs/mcp.md "Shared MCP servers"):
 * blueprints name an entry in `shared_mcp_servers` instead of repeating its URL and headers.
 */
import { z } from 'zod';
import { McpServerConfigSchema } from './invocation.js';
import './zod-config.js';

/** A registry entry: an MCP server configuration as in a blueprint's `mcp_servers`, plus `enabled`. */
export const RegistryServerSchema = z.intersection(
  McpServerConfigSchema,
  z.looseObject({ enabled: z.boolean({ message: 'enabled must be true or false' }).optional().describe('false: blueprints that name it are refused. Default true.') }),
);

/** The `--mcp-servers` file (JSON or YAML). */
export const McpRegistryFileSchema = z.strictObject({
  servers: z.record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { message: 'a server name must be letters, digits, ".", "_" or "-" (at most 64)' }), RegistryServerSchema),
});
export type McpRegistryFile = z.infer<typeof McpRegistryFileSchema>;
