import type { AgentDocument } from '../../protocol/agents.js';
import { resolveStored } from '../agents/agent-rules.js';
import { AgentResolveError, type ResolvedAgent } from '../agents/resolve-agent.js';
import { ApiError } from '../api-error.js';
import type { CoordinatorContext } from '../http/context.js';
import { inheritsSkills, sessionSkills } from './skill-inheritance.js';

/**
 * The agent of a session about to be created, resolved (`extends` merged): its executor, tags, timeout,
 * budget and skills are the session's defaults. A blueprint that cannot be resolved (a base gone, a shared
 * MCP server disabled, a skill gone) is refused now, naming the agent and the field, not when a runner
 * fetches it. @throws ApiError 422 naming `field` (the request's field that named the agent).
 */
export async function resolveSessionAgent(ctx: CoordinatorContext, agent: AgentDocument, field = 'agent'): Promise<ResolvedAgent> {
  try {
    return await resolveStored(ctx.store, agent, ctx);
  } catch (error) {
    if (!(error instanceof AgentResolveError)) throw error;
    const issues = error.issues.map((i) => ({ path: field, message: `agent "${agent.name}": ${i.path}: ${i.message}` }));
    throw new ApiError(422, 'invalid_request', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { agent: agent.name, issues });
  }
}

/**
 * The skills of a session about to be created: its (resolved) agent's, then its parent's unless the agent
 * says `inherit_skills: false`; each name once, the agent's first.
 */
export async function effectiveSkills(ctx: CoordinatorContext, agent: ResolvedAgent | null, parentId: string | undefined): Promise<string[]> {
  const parent = inheritsSkills(agent) && parentId !== undefined ? await ctx.store.getSession(parentId) : null;
  return sessionSkills(agent, parent?.skills ?? []);
}
