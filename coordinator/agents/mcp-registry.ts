import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { didYouMean } from '../../protocol/did-you-mean.js';
import { formatFieldIssues, toFieldIssues } from '../../protocol/field-issues.js';
import type { McpServerConfig } from '../../protocol/invocation.js';
import { McpRegistryFileSchema } from '../../protocol/mcp-registry.js';

/** The `--mcp-servers` file cannot be read or is not valid; the message names the file, each field and the reason. */
export class McpRegistryError extends Error {
  override name = 'McpRegistryError';
}

/** One shared MCP server: its configuration as a blueprint's `mcp_servers` entry, and whether blueprints may use it. */
export interface RegistryServer {
  config: McpServerConfig;
  enabled: boolean;
}

/** The coordinator's shared MCP servers by name (empty without `--mcp-servers`). */
export interface McpRegistry {
  file: string | null;
  servers: ReadonlyMap<string, RegistryServer>;
  /** Why `name` cannot be used: it is not in the registry (with the closest name). */
  unknownMessage(name: string): string;
}

/** A registry from parsed entries. Pure. */
export function mcpRegistryOf(file: string | null, servers: Map<string, RegistryServer>): McpRegistry {
  return {
    file,
    servers,
    unknownMessage: (name) =>
      file === null
        ? `no shared MCP server "${name}": this coordinator has no registry (start it with --mcp-servers FILE)`
        : `no shared MCP server named "${name}" in ${file}${didYouMean(name, [...servers.keys()])}`,
  };
}

export const EMPTY_MCP_REGISTRY = mcpRegistryOf(null, new Map());

/** Parse the registry file's text (JSON or YAML: JSON is YAML). @throws McpRegistryError naming the field. */
export function parseMcpRegistry(text: string, file: string): McpRegistry {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new McpRegistryError(`MCP servers file ${file}: not JSON or YAML (${(error as Error).message.split('\n')[0]})`);
  }
  const parsed = McpRegistryFileSchema.safeParse(raw);
  if (!parsed.success) throw new McpRegistryError(`MCP servers file ${file}: ${formatFieldIssues(toFieldIssues(parsed.error))}`);
  const servers = new Map<string, RegistryServer>();
  for (const [name, entry] of Object.entries(parsed.data.servers)) {
    const { enabled, ...config } = entry as McpServerConfig & { enabled?: boolean };
    servers.set(name, { config, enabled: enabled !== false });
  }
  return mcpRegistryOf(file, servers);
}

/** Read the `--mcp-servers` file. @throws McpRegistryError naming the file. */
export function loadMcpRegistry(file: string): McpRegistry {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new McpRegistryError(`MCP servers file ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return parseMcpRegistry(text, file);
}
