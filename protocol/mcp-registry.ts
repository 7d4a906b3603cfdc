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

/** A shared server's name: what blueprints write in `shared_mcp_servers`, and its key in `mcp_servers`. */
export const SERVER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The `--mcp-servers` file (JSON or YAML). */
export const McpRegistryFileSchema = z.strictObject({
  servers: z.record(z.string(), RegistryServerSchema).superRefine((servers, ctx) => {
    for (const name of Object.keys(servers)) {
      if (!SERVER_NAME.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: 'a server name must be letters, digits, ".", "_" or "-" (at most 64)' });
    }
  }),
});
export type McpRegistryFile = z.infer<typeof McpRegistryFileSchema>;
