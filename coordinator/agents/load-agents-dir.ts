import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AGENT_FILE_EXTENSION, agentNameOfFile } from '../../protocol/agent-file.js';
import type { AgentDocument, AgentProblem } from '../../protocol/agents.js';
import { formatFieldIssues } from '../../protocol/field-issues.js';
import { readAgentFile } from './read-agent-file.js';

/** The agents folder itself cannot be read (a missing explicit folder, no permission); the message names it. */
export class AgentFileError extends Error {
  override name = 'AgentFileError';
}

/** What one reading of the agents folder found: the good blueprints, and a problem for each bad file. */
export interface AgentsDirContents {
  agents: AgentDocument[];
  /** Bad files, by file name; `kept` is left false (the caller knows what it still serves). */
  problems: AgentProblem[];
  /** Every `*.json` file name present, good or bad. */
  files: string[];
}

/**
 * Read and check every `<name>.json` in `dir` (in name order). A bad file does not stop the others: it
 * becomes a problem naming the file, each field and the reason. A missing folder is empty when
 * `optional`; otherwise, like an unreadable one, an AgentFileError.
 */
export async function loadAgentsDir(dir: string, optional: boolean): Promise<AgentsDirContents> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((n) => n.endsWith(AGENT_FILE_EXTENSION)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && optional) return { agents: [], problems: [], files: [] };
    throw new AgentFileError(`cannot read the agents folder ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const contents: AgentsDirContents = { agents: [], problems: [], files };
  for (const file of files) {
    const checked = await readAgentFile(join(dir, file));
    if (checked.ok) contents.agents.push(checked.agent);
    else contents.problems.push({ file, agent: agentNameOfFile(file), message: formatFieldIssues(checked.issues), issues: checked.issues, kept: false });
  }
  return contents;
}
