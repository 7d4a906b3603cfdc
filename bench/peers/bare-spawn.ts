// The floor: this process keeps SLOTS executors in flight, no queue, no store. All runs are asked for at
// once (as a bulk submit does), so a run's submit→done is the time from the batch's start to its exit.
// `runner` starts them as agent-runner's runner does (posix_spawn on Linux): the floor the ratios use, so
// they measure what coordinating costs and not how a process is started. `node` (node:child_process, as
// the peers' workers start theirs) is printed beside it.
import type { PeerSystem, RunTimes } from './peer-system.js';
import { type Launcher, runTrivialExecutor, SLOTS } from './trivial-executor.js';

export const BARE_SPAWN = 'bare spawn';

export function bareSpawn(workDir: string, launcher: Launcher): PeerSystem {
  let count = 0;
  return {
    name: launcher === 'runner' ? BARE_SPAWN : `${BARE_SPAWN}, node:child_process`,
    processes: async () => [{ pid: process.pid, part: 'spawner (this process)' }],
    settle: async () => {},
    async batch(n) {
      const t0 = Date.now();
      const times: RunTimes[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: SLOTS }, async () => {
          while (next < n) {
            const i = next++;
            await runTrivialExecutor(String(++count), workDir, launcher);
            times[i] = { submittedAt: t0, doneAt: Date.now() };
          }
        }),
      );
      return { times: async () => times };
    },
    stop: async () => {},
  };
}
