import { resolve } from 'node:path';
import { readAgentFile } from '../../coordinator/agents/read-agent-file.js';
import type { AgentDocument } from '../../protocol/agents.js';
import type { FieldIssue } from '../../protocol/field-issues.js';
import { checkReferences, type ReferenceRules } from './agent-references.js';
import { CliError, EXIT_USAGE } from './cli-error.js';
import { terminalText } from './terminal-text.js';
import { withConnection, type ClientOptions } from './with-connection.js';

/** One checked file: its agent, or why it is refused. */
export type CheckedFile =
  | { file: string; ok: true; agent: AgentDocument; notes?: FieldIssue[] }
  | { file: string; ok: false; agent?: AgentDocument; issues: FieldIssue[]; notes?: FieldIssue[] };

/** Check blueprint files exactly as the coordinator's agents folder does (protocol/agent-file.ts), offline. */
export async function checkAgentFiles(files: readonly string[]): Promise<CheckedFile[]> {
  const checked: CheckedFile[] = [];
  for (const file of files) {
    const result = await readAgentFile(resolve(file));
    checked.push(result.ok ? { file, ok: true, agent: result.agent } : { file, ok: false, issues: result.issues });
  }
  return checked;
}

/**
 * Check the references of the files that read well (validate): `extends` among them, skills and shared MCP
 * servers against `rules`; a file whose references are refused is refused, naming the field.
 */
function checkFileReferences(checked: readonly CheckedFile[], rules: ReferenceRules): CheckedFile[] {
  const byName = new Map<string, AgentDocument>();
  const firstFile = new Map<string, string>();
  for (const c of checked) {
    if (!c.ok || byName.has(c.agent.name)) continue;
    byName.set(c.agent.name, c.agent);
    firstFile.set(c.agent.name, c.file);
  }
  return checked.map((c): CheckedFile => {
    if (!c.ok) return c;
    const { issues, notes } = checkReferences(c.agent, byName, rules);
    const first = firstFile.get(c.agent.name)!;
    if (first !== c.file) issues.unshift({ path: 'name', message: `"${c.agent.name}" is also the agent of ${first} (one file per agent)` });
    const noted = notes.length === 0 ? {} : { notes };
    return issues.length === 0 ? { ...c, ...noted } : { file: c.file, ok: false, agent: c.agent, issues, ...noted };
  });
}

/** One line per good file (its notes under it), one per issue of a bad one: `FILE: FIELD: REASON`. */
function describeChecks(checked: readonly CheckedFile[]): { out: string; err: string } {
  let out = '';
  let err = '';
  const line = (issue: FieldIssue) => `${terminalText(issue.path)}: ${terminalText(issue.message)}`;
  for (const c of checked) {
    const file = terminalText(c.file);
    if (c.ok) out += `ok  ${file}: agent ${terminalText(c.agent.name)}\n`;
    else for (const issue of c.issues) err += `${file}: ${line(issue)}\n`;
    for (const note of c.notes ?? []) {
      if (c.ok) out += `    note: ${line(note)}\n`;
      else err += `${file}: note: ${line(note)}\n`;
    }
  }
  return { out, err };
}

const asJson = (checked: readonly CheckedFile[]) =>
  checked.map((c) => {
    const notes = c.notes === undefined ? {} : { notes: c.notes };
    if (c.ok) return { file: c.file, ok: true, agent: c.agent.name, ...notes };
    return { file: c.file, ok: false, ...(c.agent === undefined ? {} : { agent: c.agent.name }), issues: c.issues, ...notes };
  });

/** The skills folder and MCP servers file `validate` was given, read as the coordinator reads them. @throws CliError (exit 2) naming the one that cannot be read. */
async function readRules(options: { skillsDir?: string; mcpServers?: string }): Promise<ReferenceRules> {
  let registry: ReferenceRules['registry'] = null;
  let skills: ReferenceRules['skills'] = null;
  if (options.mcpServers !== undefined) {
    const { loadMcpRegistry, McpRegistryError } = await import('../../coordinator/agents/mcp-registry.js');
    try {
      registry = loadMcpRegistry(options.mcpServers);
    } catch (error) {
      throw error instanceof McpRegistryError ? new CliError(`--mcp-servers: ${error.message}`, EXIT_USAGE) : error;
    }
  }
  if (options.skillsDir !== undefined) {
    const { SkillsFolder, SkillsDirError } = await import('../../coordinator/skills/skills-folder.js');
    // Its bad skill folders are named where a blueprint uses them (agent-references.ts), not logged.
    skills = new SkillsFolder(options.skillsDir, { warn: () => undefined });
    try {
      await skills.reload();
    } catch (error) {
      throw error instanceof SkillsDirError ? new CliError(`--skills-dir: ${error.message}`, EXIT_USAGE) : error;
    }
  }
  return { skills, registry };
}

/**
 * `agents validate FILE…`: check each file offline (its shape, its `extends` among the files, its skills
 * with `--skills-dir`, its shared MCP servers with `--mcp-servers`); exit 1 when any is refused (each is named).
 */
export async function validateAgentsCommand(files: string[], options: { json?: boolean; skillsDir?: string; mcpServers?: string }): Promise<number> {
  const rules = await readRules(options);
  const checked = checkFileReferences(await checkAgentFiles(files), rules);
  const bad = checked.filter((c) => !c.ok).length;
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ files: asJson(checked) }, null, 2)}\n`);
  } else {
    const { out, err } = describeChecks(checked);
    process.stdout.write(out);
    process.stderr.write(err);
    if (bad > 0) process.stderr.write(`${bad} of ${checked.length} files refused\n`);
  }
  return bad === 0 ? 0 : 1;
}

/**
 * `agents apply FILE…`: check every file first (as `validate`); when all are good, create or replace
 * each agent on the coordinator. A refused file applies none (exit 1).
 */
export async function applyAgentsCommand(files: string[], options: ClientOptions): Promise<number> {
  const checked = await checkAgentFiles(files);
  if (checked.some((c) => !c.ok)) {
    if (options.json) process.stdout.write(`${JSON.stringify({ applied: [], files: asJson(checked) }, null, 2)}\n`);
    else process.stderr.write(`${describeChecks(checked).err}nothing applied: fix the files above first\n`);
    return 1;
  }
  return withConnection(options, false, async ({ api }) => {
    const applied: Array<{ file: string; agent: string; created: boolean }> = [];
    for (const c of checked) {
      if (!c.ok) continue;
      const { created } = await api.putAgent(c.agent);
      applied.push({ file: c.file, agent: c.agent.name, created });
      if (!options.json) process.stdout.write(`${created ? 'created' : 'updated'} ${terminalText(c.agent.name)} (${terminalText(c.file)})\n`);
    }
    if (options.json) process.stdout.write(`${JSON.stringify({ applied }, null, 2)}\n`);
    return 0;
  });
}
