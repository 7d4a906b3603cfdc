import { discoverExecutors } from '../discovery/discover-executors.js';
import { executorSearchDirs } from '../discovery/search-dirs.js';
import { describeSearch, executorListJson, executorListTable } from './executor-list.js';
import { selectExecutor } from './select-executor.js';
import { makeStyle } from './style.js';

export interface RootOptions {
  executorList?: boolean;
  json?: boolean;
  executor?: string;
  executorPath?: string;
  executorsDir?: string[];
}

/** `agent-runner [options]` with no command: list executors, or resolve the one to run. */
export async function rootCommand(options: RootOptions): Promise<number> {
  const cwd = process.cwd();
  if (options.executorList) {
    const discovery = discoverExecutors(executorSearchDirs({ cwd, extraDirs: options.executorsDir ?? [] }));
    if (options.json) {
      process.stdout.write(executorListJson(discovery));
      if (discovery.executors.length === 0) process.stderr.write(`No executors found. Looked in:\n${describeSearch(discovery, cwd)}\n`);
    } else {
      process.stdout.write(executorListTable(discovery, makeStyle(process.stdout), cwd));
    }
    return 0;
  }
  const executor = selectExecutor(options, cwd);
  process.stdout.write(`${executor.name}: ${executor.path}\n`);
  process.stderr.write(
    'agent-runner: the runner daemon (claiming runs from a coordinator) is not in this release yet; ' +
      `run the executor directly with: agent-runner invoke --executor ${executor.name} --prompt "…"\n`,
  );
  return 0;
}
