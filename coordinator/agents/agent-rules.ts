import type { AgentDocument } from '../../protocol/agents.js';
import type { FieldIssue } from '../../protocol/field-issues.js';
import { didYouMean } from '../../protocol/did-you-mean.js';
import type { Store } from '../store/store.js';
import { ApiError } from '../api-error.js';
import type { SkillsFolder } from '../skills/skills-folder.js';
import type { McpRegistry } from './mcp-registry.js';
import { AgentResolveError, resolveAgent, runnerBlueprint, type ResolvedAgent } from './resolve-agent.js';
import { agentEtag } from './agent-etag.js';

/** What a blueprint is checked against beyond its own shape: the shared MCP servers and the skills folder. */
export interface AgentRules {
  mcpRegistry: McpRegistry;
  skillsFolder: SkillsFolder | null;
}

/** Issues for skill names the skills folder does not serve (each named with its index). Pure over the folder's state. */
export function unknownSkills(names: readonly string[], skills: SkillsFolder | null, field = 'skills'): FieldIssue[] {
  return names.flatMap((name, i): FieldIssue[] => {
    if (skills?.get(name) !== undefined) return [];
    const why = skills === null ? `no skill "${name}": this coordinator has no skills folder (start it with --skills-dir)` : `no skill named "${name}" in ${skills.dir}${didYouMean(name, skills.names())}`;
    return [{ path: `${field}[${i}]`, message: why }];
  });
}

/**
 * Resolve `agent` against `agents` (its bases) and check its skills exist.
 * @throws AgentResolveError naming each field: a bad `extends`, an unknown or disabled shared server, an unknown skill.
 */
export function resolveChecked(agent: AgentDocument, agents: ReadonlyMap<string, AgentDocument>, rules: AgentRules): ResolvedAgent {
  const resolved = resolveAgent(agent, (name) => agents.get(name) ?? null, rules.mcpRegistry);
  const issues = unknownSkills(resolved.skills ?? [], rules.skillsFolder);
  if (issues.length > 0) throw new AgentResolveError(issues);
  return resolved;
}

/** Every stored agent by name, with `replacing` in place of its stored version (a PUT being checked). */
export async function agentsByName(store: Store, replacing?: AgentDocument): Promise<Map<string, AgentDocument>> {
  const agents = new Map((await store.listAgents()).map((a) => [a.name, a]));
  if (replacing !== undefined) agents.set(replacing.name, replacing);
  return agents;
}

/**
 * The version (ETag) of the blueprint a runner fetches for `agent` (`GET /v1/agents/:name/resolved`), or
 * null when it cannot be resolved now (the runner's fetch then fails the run, saying why). An agent with no
 * `extends` and no shared servers costs no read.
 */
export async function runnerEtag(store: Store, agent: AgentDocument, rules: AgentRules): Promise<string | null> {
  try {
    const resolved = agent.extends === undefined && (agent.shared_mcp_servers ?? []).length === 0 ? agent : await resolveStored(store, agent, rules);
    return agentEtag(runnerBlueprint(resolved) as AgentDocument);
  } catch (error) {
    if (error instanceof AgentResolveError) return null;
    throw error;
  }
}

/** Resolve a stored agent for use (a session's creation, a runner's fetch). @throws AgentResolveError. */
export async function resolveStored(store: Store, agent: AgentDocument, rules: AgentRules): Promise<ResolvedAgent> {
  return resolveChecked(agent, await agentsByName(store), rules);
}

/** 422 for a blueprint that cannot be resolved, each field named. */
export function unresolvableAgent(error: AgentResolveError, agent: string): ApiError {
  return new ApiError(422, 'invalid_request', error.message, { agent, issues: error.issues });
}
