// The floor: this process keeps SLOTS executors in flight, no queue, no store. All runs are asked for at
// once (as a bulk submit does), so a run's submit→done is the time from the batch's start to its exit.
import type { PeerSystem, RunTimes } from './peer-system.js';
import { runTrivialExecutor, SLOTS } from './trivial-executor.js';

export function bareSpawn(workDir: string): PeerSystem {
  let count = 0;
  return {
    name: 'bare spawn',
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
            await runTrivialExecutor(String(++count), workDir);
            times[i] = { submittedAt: t0, doneAt: Date.now() };
          }
        }),
      );
      return { times: async () => times };
    },
    stop: async () => {},
  };
}
