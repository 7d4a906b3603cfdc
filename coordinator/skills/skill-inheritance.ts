import type { AgentDocument } from '../../protocol/agents.js';

type SkillFields = Pick<AgentDocument, 'skills' | 'inherit_skills'>;

/** Whether a session of `agent` takes its parent's skills (unless its blueprint says `inherit_skills: false`). Pure. */
export const inheritsSkills = (agent: SkillFields | null): boolean => agent?.inherit_skills !== false;

/** A new session's skills: its (resolved) agent's, then `parentSkills` when it inherits them; each name once, the agent's first. Pure. */
export function sessionSkills(agent: SkillFields | null, parentSkills: readonly string[]): string[] {
  return [...new Set([...(agent?.skills ?? []), ...(inheritsSkills(agent) ? parentSkills : [])])];
}
