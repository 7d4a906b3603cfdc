/**
 * From a stored agent to the blueprint its sessions run with: its `extends` chain merged (base first, each
 * agent's own fields over its base's), then its `shared_mcp_servers` taken from the coordinator's registry.
 * Resolved at use (a session's creation, a runner's fetch), never stored resolved: a change of a base or
 * of the registry reaches every agent built on it. Pure.
 */
import type { AgentDocument } from '../../protocol/agents.js';
import type { FieldIssue } from '../../protocol/field-issues.js';
import type { McpServerConfig } from '../../protocol/invocation.js';
import type { McpRegistry } from './mcp-registry.js';

/** The longest `extends` chain: an agent and at most this many bases under it. */
export const MAX_EXTENDS_DEPTH = 8;

/** Fields that steer resolution and never reach a runner. */
const RESOLUTION_FIELDS = ['extends', 'shared_mcp_servers', 'skills', 'inherit_skills'] as const;

/** A blueprint that cannot be resolved; `issues` name the field and the reason. */
export class AgentResolveError extends Error {
  override name = 'AgentResolveError';
  constructor(readonly issues: FieldIssue[]) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join('; '));
  }
}

/** An agent with its chain merged (still with its `skills`, `inherit_skills`), and the servers of the registry it named. */
export type ResolvedAgent = AgentDocument;

const fail = (path: string, message: string): never => {
  throw new AgentResolveError([{ path, message }]);
};

/**
 * The `extends` chain of `agent`, the agent first. @throws AgentResolveError for an unknown base, a
 * cycle (naming the chain `a → b → a`) or a chain deeper than MAX_EXTENDS_DEPTH.
 */
export function extendsChain(agent: AgentDocument, lookup: (name: string) => AgentDocument | null): AgentDocument[] {
  const chain = [agent];
  let current = agent;
  while (current.extends !== undefined) {
    const names = chain.map((a) => a.name);
    if (names.includes(current.extends)) fail('extends', `a cycle: ${[...names, current.extends].join(' → ')}`);
    if (chain.length > MAX_EXTENDS_DEPTH) fail('extends', `the chain ${names.join(' → ')} → … is deeper than ${MAX_EXTENDS_DEPTH} bases`);
    const base = lookup(current.extends);
    if (base === null) fail('extends', `no agent named "${current.extends}"${current === agent ? '' : ` (the base of "${current.name}")`}`);
    chain.push(base!);
    current = base!;
  }
  return chain;
}

/**
 * Merge `own` over `base`: scalars and objects (`budget`, `approvals`, `output_schema`...) of `own` win
 * whole; `mcp_servers` merge by server name (own wins); `skills` and `shared_mcp_servers` are the union
 * (base's first); `tags` are own's when given (they steer placement, a union would surprise). Pure.
 */
export function mergeAgent(base: AgentDocument, own: AgentDocument): AgentDocument {
  const merged: AgentDocument = { ...base, ...own };
  if (base.mcp_servers !== undefined || own.mcp_servers !== undefined) merged.mcp_servers = { ...base.mcp_servers, ...own.mcp_servers };
  for (const field of ['skills', 'shared_mcp_servers'] as const) {
    if (base[field] !== undefined || own[field] !== undefined) merged[field] = [...new Set([...(base[field] ?? []), ...(own[field] ?? [])])];
  }
  delete merged.extends;
  return merged;
}

/** Why the shared MCP server `name` cannot be used (not in the registry, with the closest name; disabled), or null. Pure. */
export function sharedServerProblem(name: string, registry: McpRegistry): string | null {
  const entry = registry.servers.get(name);
  if (entry === undefined) return registry.unknownMessage(name);
  if (!entry.enabled) return `the shared MCP server "${name}" is disabled (enabled: false in ${registry.file ?? 'the registry'})`;
  return null;
}

/** The issue of a blueprint whose own `mcp_servers` uses the name of a shared server it also asks for. */
export const sharedServerClash = (name: string): FieldIssue => ({ path: `mcp_servers.${name}`, message: `"${name}" is also in shared_mcp_servers; keep one of them` });

/**
 * `agent` with its `extends` chain merged (base first), its shared MCP servers not yet added: what a
 * session's defaults (executor, tags, timeout, budget, skills) come from. @throws AgentResolveError as extendsChain. Pure.
 */
export function mergeChain(agent: AgentDocument, lookup: (name: string) => AgentDocument | null): AgentDocument {
  const chain = extendsChain(agent, lookup);
  let merged = chain[chain.length - 1]!;
  for (let i = chain.length - 2; i >= 0; i--) merged = mergeAgent(merged, chain[i]!);
  merged = { ...merged, name: agent.name };
  delete merged.extends;
  return merged;
}

/**
 * Resolve `agent`: its chain merged and its shared MCP servers added to `mcp_servers`.
 * @throws AgentResolveError naming the field: an unknown base, a cycle, an unknown or disabled shared
 * server, a shared server whose name the blueprint's own `mcp_servers` also uses.
 */
export function resolveAgent(agent: AgentDocument, lookup: (name: string) => AgentDocument | null, registry: McpRegistry): ResolvedAgent {
  const merged = mergeChain(agent, lookup);
  const shared = merged.shared_mcp_servers ?? [];
  if (shared.length === 0) return merged;
  const servers: Record<string, McpServerConfig> = { ...merged.mcp_servers };
  const issues: FieldIssue[] = [];
  shared.forEach((name, i) => {
    const problem = sharedServerProblem(name, registry);
    if (problem !== null) issues.push({ path: `shared_mcp_servers[${i}]`, message: problem });
    else if (merged.mcp_servers?.[name] !== undefined) issues.push(sharedServerClash(name));
    else servers[name] = registry.servers.get(name)!.config;
  });
  if (issues.length > 0) throw new AgentResolveError(issues);
  return { ...merged, mcp_servers: servers };
}

/** The resolved blueprint as a runner gets it: without the fields only the coordinator reads. Pure. */
export function runnerBlueprint(resolved: ResolvedAgent): Record<string, unknown> {
  const out: Record<string, unknown> = { ...resolved };
  for (const field of RESOLUTION_FIELDS) delete out[field];
  return out;
}
