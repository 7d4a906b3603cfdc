import { readFileSync } from 'node:fs';
import { AgentBlueprintSchema, type AgentBlueprint } from '../../protocol/invocation.js';
import { formatPath } from '../../protocol/field-issues.js';
import { CliError, EXIT_USAGE } from './cli-error.js';

/** Read and validate an agent blueprint JSON file (`--blueprint FILE`); errors name the file and field. */
export function readBlueprintFile(file: string): AgentBlueprint {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new CliError(`--blueprint ${file}: cannot read a JSON document (${reason})`, EXIT_USAGE);
  }
  const parsed = AgentBlueprintSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join('; ');
    throw new CliError(`--blueprint ${file}: ${issues}`, EXIT_USAGE);
  }
  return parsed.data;
}
