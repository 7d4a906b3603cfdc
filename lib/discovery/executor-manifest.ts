import { readFileSync } from 'node:fs';
import { envPatternProblem } from '../process/executor-env.js';

/** What an optional `executor.json` beside the executable may say. Unknown fields are ignored. */
export interface ExecutorManifest {
  description: string | null;
  version: string | null;
  capabilities: Record<string, unknown>;
  /** Environment variables the executor needs beyond the base set: names, or prefixes ending in `*`. */
  env: string[];
}

export const EMPTY_MANIFEST: ExecutorManifest = { description: null, version: null, capabilities: {}, env: [] };

/**
 * Read `executor.json`. Checked by hand rather than with zod so `--executor-list` stays fast to start.
 * @returns the manifest, and the problems found (each names the field and the reason).
 */
export function readExecutorManifest(file: string): { manifest: ExecutorManifest; problems: string[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { manifest: EMPTY_MANIFEST, problems: [] };
    return { manifest: EMPTY_MANIFEST, problems: [`executor.json cannot be read (${code ?? String(error)})`] };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { manifest: EMPTY_MANIFEST, problems: [`executor.json is not valid JSON: ${(error as Error).message}`] };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { manifest: EMPTY_MANIFEST, problems: ['executor.json must hold a JSON object'] };
  }
  const raw = value as Record<string, unknown>;
  const problems: string[] = [];
  const text_ = (field: string): string | null => {
    const v = raw[field];
    if (v === undefined || v === null) return null;
    if (typeof v === 'string') return v;
    problems.push(`executor.json: ${field} must be a string`);
    return null;
  };
  const manifest: ExecutorManifest = { description: text_('description'), version: text_('version'), capabilities: {}, env: readEnv(raw.env, problems) };
  const caps = raw.capabilities;
  if (caps !== undefined) {
    if (typeof caps === 'object' && caps !== null && !Array.isArray(caps)) {
      manifest.capabilities = caps as Record<string, unknown>;
      const resume = (caps as Record<string, unknown>).resume;
      if (resume !== undefined && typeof resume !== 'boolean') {
        problems.push('executor.json: capabilities.resume must be true or false');
      }
    } else {
      problems.push('executor.json: capabilities must be an object');
    }
  }
  return { manifest, problems };
}

/** The `env` field: an array of names or prefixes; each bad entry is a problem naming its index. */
function readEnv(value: unknown, problems: string[]): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problems.push('executor.json: env must be an array of environment variable names or prefixes ending in *');
    return [];
  }
  const names: string[] = [];
  value.forEach((item: unknown, i) => {
    const problem = typeof item === 'string' ? envPatternProblem(item) : 'must be a string';
    if (problem !== undefined) problems.push(`executor.json: env[${i}] ${problem}`);
    else if (typeof item === 'string') names.push(item);
  });
  return names;
}
