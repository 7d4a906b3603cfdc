import { delimiter, join, resolve } from 'node:path';
import { packageRoot } from '../package-root.js';
import type { SearchDir } from './types.js';

/** Environment variable with extra search dirs, `:`-separated. */
export const EXECUTORS_PATH_ENV = 'AGENT_RUNNER_EXECUTORS_PATH';

export interface SearchDirOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** `--executors-dir` values, in the order given. */
  extraDirs?: readonly string[];
}

/**
 * Where executors are looked for, in precedence order (a later dir overrides an earlier one by name):
 * the package's own `executors/`, `./executors`, each `AGENT_RUNNER_EXECUTORS_PATH` entry, each
 * `--executors-dir`. A dir listed twice counts once, at its first place.
 */
export function executorSearchDirs(options: SearchDirOptions = {}): SearchDir[] {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const dirs: SearchDir[] = [
    { dir: join(packageRoot(), 'executors'), source: 'package' },
    { dir: join(cwd, 'executors'), source: 'cwd' },
  ];
  for (const entry of (env[EXECUTORS_PATH_ENV] ?? '').split(delimiter)) {
    if (entry.trim() !== '') dirs.push({ dir: resolve(cwd, entry.trim()), source: 'env' });
  }
  for (const entry of options.extraDirs ?? []) dirs.push({ dir: resolve(cwd, entry), source: 'flag' });
  const seen = new Set<string>();
  return dirs.filter((d) => (seen.has(d.dir) ? false : (seen.add(d.dir), true)));
}
