// The scan for an executor's escaped processes after it exits (issue 13: fifty runners on one machine),
// in this process, with OTHERS other processes on the machine (a fleet's runners and executors): a
// search by start time only (what a run longer than a second gets), and one that also passes over the
// pids handed out before the executor's (what a shorter run gets, lib/process/proc-table.ts), each right
// after another scan (the start times of earlier scans reused) and more than a second after it (every
// process read again, as a runner of a fleet often is: fifty runners share the runs). The pids after the
// executor's are read either by listing /proc or by walking them one by one (what a search does up to
// PID_WALK_LIMIT of them), the last row a walk of that many.
import { type ChildProcess, spawn } from 'node:child_process';
import { lastPid, MAX_GAP_MS } from '../lib/process/known-start-times.js';
import { findMarkedProcesses, PID_WALK_LIMIT, processStartTime } from '../lib/process/proc-table.js';
import { ms, percentile, report } from './lib/stats.js';

const OTHERS = 300;
/** Processes the executor starts (sleeps carrying its mark). */
const ESCAPEES = 5;
const REPS = 15;

const children: ChildProcess[] = [];
const killAll = () => {
  for (const child of children.splice(0)) if (child.pid !== undefined && child.exitCode === null) child.kill('SIGKILL');
};
process.on('exit', killAll);

async function sleeper(env: Record<string, string>): Promise<number> {
  const child = spawn('/bin/sleep', ['600'], { env, detached: true, stdio: 'ignore' });
  children.push(child);
  await new Promise((resolve, reject) => child.once('spawn', resolve).once('error', reject));
  return child.pid!;
}

if (process.platform !== 'linux') {
  console.log('skipped: reads Linux /proc');
} else {
  try {
    for (let i = 0; i < OTHERS; i++) await sleeper({ OTHER: String(i) });
    const others = children.length;
    for (const range of ['none', 'listed', 'walked', 'walked, longest'] as const) {
      for (const gap of [false, true]) {
        const times: number[] = [];
        for (let rep = 0; rep < REPS; rep++) {
          if (gap) await new Promise((resolve) => setTimeout(resolve, MAX_GAP_MS + 100));
          const spawnedAt = performance.now();
          const leader = await sleeper({ MARK: `lead-${rep}` });
          for (let i = 0; i < ESCAPEES; i++) await sleeper({ MARK: `run-${rep}` });
          const startedSince = Number(processStartTime(leader));
          const t0 = performance.now();
          // 'walked, longest': the range starts PID_WALK_LIMIT pids before the cursor, over the others too.
          const first = range === 'walked, longest' ? lastPid()! - PID_WALK_LIMIT : leader;
          const after = { pid: first, since: spawnedAt, walkLimit: range === 'listed' ? 0 : PID_WALK_LIMIT };
          const found = findMarkedProcesses(`MARK=run-${rep}`, range === 'none' ? { startedSince } : { startedSince, after });
          times.push(performance.now() - t0);
          if (found.length !== ESCAPEES) throw new Error(`found ${found.length} of the ${ESCAPEES} marked processes`);
          for (const child of children.splice(others)) child.kill('SIGKILL');
        }
        const how = range === 'none' ? 'by start time only' : range === 'listed' ? 'pids after the executor, /proc listed' : range === 'walked' ? 'pids after the executor, walked' : `${PID_WALK_LIMIT} pids walked`;
        const name = `scan with ${OTHERS} other processes, ${how}, ${gap ? 'more than 1 s after the last' : 'right after another'}`;
        report(name, `p50 ${ms(percentile(times, 50))} p90 ${ms(percentile(times, 90))}`);
      }
    }
  } finally {
    killAll();
  }
}
