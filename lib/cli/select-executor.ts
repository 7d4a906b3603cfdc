import { discoverExecutors } from '../discovery/discover-executors.js';
import { resolveExecutorByName, resolveExecutorPath, ExecutorResolutionError, type ResolvedExecutor } from '../discovery/resolve-executor.js';
import { executorSearchDirs } from '../discovery/search-dirs.js';
import { executorNameProblem } from '../../protocol/fields.js';
import { CliError, EXIT_USAGE } from './cli-error.js';

/** The executor used when none is named. */
export const DEFAULT_EXECUTOR = 'claude-code';

/** The variable that sets the default executor of a coordinator (agent-coordinator's, and one started in-process). */
export const DEFAULT_EXECUTOR_ENV = 'AGENT_COORDINATOR_DEFAULT_EXECUTOR';

/** The default executor of a coordinator started in-process: AGENT_COORDINATOR_DEFAULT_EXECUTOR, else claude-code. */
export function defaultExecutorFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const name = env[DEFAULT_EXECUTOR_ENV];
  if (name === undefined || name === '') return DEFAULT_EXECUTOR;
  const problem = executorNameProblem(name);
  if (problem !== null) throw new CliError(`${DEFAULT_EXECUTOR_ENV}: ${problem}`, EXIT_USAGE);
  return name;
}

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
