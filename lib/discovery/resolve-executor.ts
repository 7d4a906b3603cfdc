import { basename, dirname, resolve } from 'node:path';
import { checkExecutable } from './discover-executors.js';
import { closestMatch } from './did-you-mean.js';
import { readExecutorManifest } from './executor-manifest.js';
import type { Discovery } from './discover-executors.js';
import type { ExecutorEntry } from './types.js';

/** A name or path that does not give a usable executor; the message says why and what is available. */
export class ExecutorResolutionError extends Error {
  override name = 'ExecutorResolutionError';
}

/** A usable executor: its entry with a path to run. */
export type ResolvedExecutor = ExecutorEntry & { path: string };

/** Find an executor by name, or explain why there is none: the names available and a likely typo. */
export function resolveExecutorByName(name: string, discovery: Discovery): ResolvedExecutor {
  const entry = discovery.executors.find((e) => e.name === name);
  if (entry === undefined) {
    const names = discovery.executors.map((e) => e.name);
    const guess = closestMatch(name, names);
    const available = names.length === 0 ? 'none found' : names.join(', ');
    const hint = guess === undefined ? '' : ` Did you mean "${guess}"?`;
    const where = discovery.searched.map((s) => s.dir).join(', ');
    throw new ExecutorResolutionError(
      `unknown executor "${name}". Available: ${available}.${hint} (looked in ${where})`,
    );
  }
  if (entry.path === null || entry.problems.length > 0) {
    throw new ExecutorResolutionError(`executor "${name}" in ${entry.dir} cannot be used: ${entry.problems.join('; ')}`);
  }
  return entry as ResolvedExecutor;
}

/** Use an executable file directly (`--executor-path`); its folder's name is the executor's name. */
export function resolveExecutorPath(file: string, cwd = process.cwd()): ResolvedExecutor {
  const path = resolve(cwd, file);
  const problem = checkExecutable(path);
  if (problem !== null) throw new ExecutorResolutionError(`--executor-path ${file}: ${problem}`);
  const dir = dirname(path);
  const { manifest, problems } = readExecutorManifest(resolve(dir, 'executor.json'));
  if (problems.length > 0) throw new ExecutorResolutionError(`--executor-path ${file}: ${problems.join('; ')}`);
  return {
    name: basename(dir),
    dir,
    path,
    source_dir: dirname(dir),
    source: 'flag',
    ...manifest,
    problems,
    overrides: [],
  };
}
