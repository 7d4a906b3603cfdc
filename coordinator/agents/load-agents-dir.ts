import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { formatFieldIssues, toFieldIssues } from '../../protocol/field-issues.js';
import { AgentDocumentSchema, type AgentDocument } from '../../protocol/agents.js';

/** A blueprint file that cannot be used; the message names the file and the field. */
export class AgentFileError extends Error {
  override name = 'AgentFileError';
}

/**
 * Read and validate every `<name>.json` in `dir`. A missing folder gives no agents when `optional`;
 * any bad file throws an AgentFileError naming the file and the field.
 */
export async function loadAgentsDir(dir: string, optional: boolean): Promise<AgentDocument[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && optional) return [];
    throw new AgentFileError(`cannot read the agents folder ${dir}: ${(error as Error).message}`);
  }
  const agents: AgentDocument[] = [];
  for (const name of names) {
    const file = join(dir, name);
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      throw new AgentFileError(`${file}: not valid JSON: ${(error as Error).message}`);
    }
    const result = AgentDocumentSchema.safeParse(parsed);
    if (!result.success) throw new AgentFileError(`${file}: ${formatFieldIssues(toFieldIssues(result.error))}`);
    const expected = basename(name, '.json');
    if (result.data.name !== expected) {
      throw new AgentFileError(`${file}: name: is "${result.data.name}" but the file is named ${name} (expected "${expected}")`);
    }
    agents.push(result.data);
  }
  return agents;
}
