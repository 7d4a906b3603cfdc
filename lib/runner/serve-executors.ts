import { discoverExecutors } from '../discovery/discover-executors.js';
import { ExecutorResolutionError, resolveExecutorByName, resolveExecutorPath, type ResolvedExecutor } from '../discovery/resolve-executor.js';
import { executorSearchDirs } from '../discovery/search-dirs.js';

export interface ServeSelection {
  /** Names to serve; empty = every usable executor found. */
  executors: readonly string[];
  executorPath?: string | undefined;
  executorsDir?: readonly string[] | undefined;
  cwd: string;
}

/**
 * The executors a runner serves: the named ones (each must exist and be usable), the one file given by
 * `--executor-path`, or every usable executor found.
 * @throws ExecutorResolutionError when a named executor is unknown or unusable, or none is usable.
 */
export function executorsToServe(selection: ServeSelection): ResolvedExecutor[] {
  if (selection.executorPath !== undefined) return [resolveExecutorPath(selection.executorPath, selection.cwd)];
  const discovery = discoverExecutors(executorSearchDirs({ cwd: selection.cwd, extraDirs: selection.executorsDir ?? [] }));
  if (selection.executors.length > 0) return selection.executors.map((name) => resolveExecutorByName(name, discovery));
  const usable = discovery.executors.filter((e): e is ResolvedExecutor => e.path !== null && e.problems.length === 0);
  if (usable.length === 0) {
    throw new ExecutorResolutionError(`no usable executor found (looked in ${discovery.searched.map((s) => s.dir).join(', ')})`);
  }
  return usable;
}
