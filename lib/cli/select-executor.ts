import { discoverExecutors } from '../discovery/discover-executors.js';
import { resolveExecutorByName, resolveExecutorPath, ExecutorResolutionError, type ResolvedExecutor } from '../discovery/resolve-executor.js';
import { executorSearchDirs } from '../discovery/search-dirs.js';
import { CliError, EXIT_USAGE } from './cli-error.js';

/** The executor used when none is named. */
export const DEFAULT_EXECUTOR = 'claude-code';

export interface ExecutorSelection {
  executor?: string | undefined;
  executorPath?: string | undefined;
  executorsDir?: string[] | undefined;
}

/** Resolve `--executor NAME` / `--executor-path FILE` (default: claude-code) into a runnable executor. */
export function selectExecutor(selection: ExecutorSelection, cwd = process.cwd()): ResolvedExecutor {
  if (selection.executor !== undefined && selection.executorPath !== undefined) {
    throw new CliError('--executor and --executor-path cannot be used together; give one', EXIT_USAGE);
  }
  try {
    if (selection.executorPath !== undefined) return resolveExecutorPath(selection.executorPath, cwd);
    const discovery = discoverExecutors(executorSearchDirs({ cwd, extraDirs: selection.executorsDir ?? [] }));
    return resolveExecutorByName(selection.executor ?? DEFAULT_EXECUTOR, discovery);
  } catch (error) {
    if (error instanceof ExecutorResolutionError) throw new CliError(error.message, EXIT_USAGE);
    throw error;
  }
}
