import { discoverExecutors } from '../discovery/discover-executors.js';
import { executorSearchDirs } from '../discovery/search-dirs.js';
import type { DaemonOptions } from './daemon-command.js';
import { describeSearch, executorListJson, executorListTable } from './executor-list.js';
import { makeStyle } from './style.js';

export interface RootOptions extends DaemonOptions {
  executorList?: boolean;
  json?: boolean;
}

/** `agent-runner [options]` with no command: list executors, or run the runner daemon. */
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
  // Before the daemon's modules load: their loading is what would grow the young generation.
  const { capYoungGeneration } = await import('../runner/young-generation.js');
  capYoungGeneration();
  const { favourSmallHeap } = await import('../runner/small-heap.js');
  favourSmallHeap();
  const { daemonCommand } = await import('./daemon-command.js');
  return daemonCommand(options);
}
