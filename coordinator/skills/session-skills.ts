import type { AgentDocument } from '../../protocol/agents.js';
import { resolveStored } from '../agents/agent-rules.js';
import { AgentResolveError } from '../agents/resolve-agent.js';
import { ApiError } from '../api-error.js';
import type { CoordinatorContext } from '../http/context.js';

/**
 * The skills of a session about to be created: its agent's (resolved: `extends` merged), then its
 * parent's unless the agent says `inherit_skills: false`; each name once, the agent's first. The agent is
 * resolved here, so a blueprint that cannot be (a base gone, a shared MCP server disabled, a skill gone)
 * is refused now, naming the agent and the field, not when a runner fetches it.
 * @throws ApiError 422.
 */
export async function effectiveSkills(ctx: CoordinatorContext, agent: AgentDocument | null, parentId: string | undefined): Promise<string[]> {
  let own: string[] = [];
  let inherit = true;
  if (agent !== null) {
    try {
      const resolved = await resolveStored(ctx.store, agent, ctx);
      own = resolved.skills ?? [];
      inherit = resolved.inherit_skills !== false;
    } catch (error) {
      if (!(error instanceof AgentResolveError)) throw error;
      const issues = error.issues.map((i) => ({ path: `agent`, message: `agent "${agent.name}": ${i.path}: ${i.message}` }));
      throw new ApiError(422, 'invalid_request', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { agent: agent.name, issues });
    }
  }
  const parent = inherit && parentId !== undefined ? await ctx.store.getSession(parentId) : null;
  return [...new Set([...own, ...(parent?.skills ?? [])])];
}
