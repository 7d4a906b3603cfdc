import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { formatFieldIssues, toFieldIssues } from '../../protocol/field-issues.js';
import { AgentDocumentSchema, type AgentDocument } from '../../protocol/agents.js';
import { findDeepNesting, findNul } from '../../protocol/json-shape.js';

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
    const text = await readFile(file, 'utf8');
    // The same shape rules as a PUT /v1/agents body: bounded nesting, no NUL (PostgreSQL refuses it).
    const deep = findDeepNesting(text);
    if (deep !== undefined) throw new AgentFileError(`${file}: ${deep.path}: ${deep.message}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new AgentFileError(`${file}: not valid JSON: ${(error as Error).message}`);
    }
    const withNul = findNul(parsed);
    if (withNul !== undefined) throw new AgentFileError(`${file}: ${withNul.path}: ${withNul.message}`);
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
