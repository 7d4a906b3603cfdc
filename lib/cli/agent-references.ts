/**
 * What `agents validate` checks beyond a blueprint file's own shape, offline: its `extends` chain among
 * the files given, and (when the user names them) its skills against a skills folder and its shared MCP
 * servers against an MCP servers file, with the coordinator's own rules and messages.
 */
import { unknownSkills } from '../../coordinator/agents/agent-rules.js';
import type { McpRegistry } from '../../coordinator/agents/mcp-registry.js';
import { AgentResolveError, extendsChain, mergeAgent, sharedServerClash, sharedServerProblem } from '../../coordinator/agents/resolve-agent.js';
import type { SkillsFolder } from '../../coordinator/skills/skills-folder.js';
import type { AgentDocument } from '../../protocol/agents.js';
import type { FieldIssue } from '../../protocol/field-issues.js';

/** What names are checked against: null where the user gave no folder or file (those names are left to the coordinator). */
export interface ReferenceRules {
  skills: SkillsFolder | null;
  registry: McpRegistry | null;
}

/** A blueprint's refused references (each naming its field), and what could not be checked here. */
export interface ReferenceCheck {
  issues: FieldIssue[];
  notes: FieldIssue[];
}

/**
 * The `extends` chain of `agent` among `byName` (the files given), as far as it reaches: a base not among
 * them ends it with a note (the coordinator may have it). @throws AgentResolveError for a cycle or a chain
 * too deep, naming the chain (coordinator/agents/resolve-agent.ts).
 */
function chainAmongFiles(agent: AgentDocument, byName: ReadonlyMap<string, AgentDocument>): { chain: AgentDocument[]; note: FieldIssue | null } {
  const found = [agent];
  let missing: string | null = null;
  const lookup = (name: string) => {
    const base = byName.get(name) ?? null;
    if (base === null) missing = name;
    else found.push(base);
    return base;
  };
  try {
    return { chain: extendsChain(agent, lookup), note: null };
  } catch (error) {
    if (!(error instanceof AgentResolveError) || missing === null) throw error;
    const last = found[found.length - 1]!;
    const whose = last === agent ? '' : ` (the base of "${last.name}")`;
    return { chain: found, note: { path: 'extends', message: `"${missing}"${whose} is not among the files given: not checked here (the coordinator must have it)` } };
  }
}

/** Why a skill is not served: the skills folder's problem with its folder, when it has one. */
function withFolderProblem(issue: FieldIssue, name: string, skills: SkillsFolder): FieldIssue {
  const problem = skills.problems().find((p) => p.folder === name);
  return problem === undefined ? issue : { path: issue.path, message: `${issue.message}; its folder is not served: ${problem.message}` };
}

/** Check one blueprint's references (see the module's comment). Pure over the rules' state. */
export function checkReferences(agent: AgentDocument, byName: ReadonlyMap<string, AgentDocument>, rules: ReferenceRules): ReferenceCheck {
  const issues: FieldIssue[] = [];
  const notes: FieldIssue[] = [];
  let chain: AgentDocument[] = [agent];
  try {
    const walked = chainAmongFiles(agent, byName);
    chain = walked.chain;
    if (walked.note !== null) notes.push(walked.note);
  } catch (error) {
    if (!(error instanceof AgentResolveError)) throw error;
    issues.push(...error.issues);
  }
  const skills = agent.skills ?? [];
  if (rules.skills !== null) {
    const folder = rules.skills;
    skills.forEach((name, i) => issues.push(...unknownSkills([name], folder).map((issue) => ({ ...withFolderProblem(issue, name, folder), path: `skills[${i}]` }))));
  } else if (skills.length > 0) notes.push({ path: 'skills', message: 'not checked (give --skills-dir DIR to check them)' });
  const shared = agent.shared_mcp_servers ?? [];
  if (rules.registry !== null) {
    shared.forEach((name, i) => {
      const problem = sharedServerProblem(name, rules.registry!);
      if (problem !== null) issues.push({ path: `shared_mcp_servers[${i}]`, message: problem });
    });
  } else if (shared.length > 0) notes.push({ path: 'shared_mcp_servers', message: 'not checked (give --mcp-servers FILE to check them)' });
  // Its own mcp_servers or a base's using the name of a shared server the chain asks for: resolving it fails.
  let merged = chain[chain.length - 1]!;
  for (let i = chain.length - 2; i >= 0; i--) merged = mergeAgent(merged, chain[i]!);
  for (const name of merged.shared_mcp_servers ?? []) if (merged.mcp_servers?.[name] !== undefined) issues.push(sharedServerClash(name));
  return { issues, notes };
}
