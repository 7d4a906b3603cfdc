import { resolve } from 'node:path';
import { readAgentFile } from '../../coordinator/agents/read-agent-file.js';
import type { AgentDocument } from '../../protocol/agents.js';
import type { FieldIssue } from '../../protocol/field-issues.js';
import { terminalText } from './terminal-text.js';
import { withConnection, type ClientOptions } from './with-connection.js';

/** One checked file: its agent, or why it is refused. */
export type CheckedFile = { file: string; ok: true; agent: AgentDocument } | { file: string; ok: false; issues: FieldIssue[] };

/** Check blueprint files exactly as the coordinator's agents folder does (protocol/agent-file.ts), offline. */
export async function checkAgentFiles(files: readonly string[]): Promise<CheckedFile[]> {
  const checked: CheckedFile[] = [];
  for (const file of files) {
    const result = await readAgentFile(resolve(file));
    checked.push(result.ok ? { file, ok: true, agent: result.agent } : { file, ok: false, issues: result.issues });
  }
  return checked;
}

/** One line per good file, one per issue of a bad one: `FILE: FIELD: REASON`. */
function describeChecks(checked: readonly CheckedFile[]): { out: string; err: string } {
  let out = '';
  let err = '';
  for (const c of checked) {
    const file = terminalText(c.file);
    if (c.ok) out += `ok  ${file}: agent ${terminalText(c.agent.name)}\n`;
    else for (const issue of c.issues) err += `${file}: ${terminalText(issue.path)}: ${terminalText(issue.message)}\n`;
  }
  return { out, err };
}

const asJson = (checked: readonly CheckedFile[]) =>
  checked.map((c) => (c.ok ? { file: c.file, ok: true, agent: c.agent.name } : { file: c.file, ok: false, issues: c.issues }));

/** `agents validate FILE…`: check each file offline; exit 1 when any is refused (each is named). */
export async function validateAgentsCommand(files: string[], options: { json?: boolean }): Promise<number> {
  const checked = await checkAgentFiles(files);
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
