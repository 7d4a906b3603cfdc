// The scan for an executor's escaped processes after it exits (issue 13: fifty runners on one machine),
// in this process, with OTHERS other processes on the machine (a fleet's runners and executors): a
// search by start time only (what a run longer than a second gets), and one that also passes over the
// pids handed out before the executor's (what a shorter run gets, lib/process/proc-table.ts), each right
// after another scan (the start times of earlier scans reused) and more than a second after it (every
// process read again, as a runner of a fleet often is: fifty runners share the runs). The pids after the
// executor's are read either by listing /proc or by walking them one by one (what a search does up to
// PID_WALK_LIMIT of them), the last row a walk of that many.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
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

/** Processes started while the execution runs, by this process or by another (a fleet's other runners). */
const DURING = 100;

/**
 * A shell started before the executor (another runner, as it were) that starts `n` marked sleeps when
 * asked and says when they all run; or, with `own`, the same started by this process.
 */
async function startDuring(n: number, own: boolean, parent: ChildProcess): Promise<void> {
  if (own) {
    for (let i = 0; i < n; i++) await sleeper({ MARK: 'foreign' });
    return;
  }
  await new Promise<void>((resolve) => {
    parent.stdout!.once('data', () => resolve());
    parent.stdin!.write(`${n}\n`);
  });
}

/**
 * DURING marked processes started after the executor, by another process (foreign by their parents:
 * their environments are not read, and a search right after another does not read them at all) or by
 * this one (their parent is the executor's: each environment is read). The executor's own 5 are found.
 */
async function startedDuring(): Promise<void> {
  const script = 'while read -r n; do i=0; while [ $i -lt $n ]; do MARK=foreign /bin/sleep 600 & i=$((i+1)); done; echo started; done';
  const parent = spawn('/bin/sh', ['-c', script], { detached: true, stdio: ['pipe', 'pipe', 'ignore'] });
  children.push(parent);
  await new Promise((resolve) => parent.once('spawn', resolve));
  await startDuring(1, false, parent); // the shell has run: it started before every executor below
  const kept = children.length;
  try {
    await measureDuring(parent, kept);
  } finally {
    process.kill(-parent.pid!, 'SIGKILL'); // the shell and every sleep it started (its group)
  }
}

async function measureDuring(parent: ChildProcess, kept: number): Promise<void> {
  for (const own of [false, true]) {
    const first: number[] = [];
    const again: number[] = [];
    for (let rep = 0; rep < REPS; rep++) {
      const spawnedAt = performance.now();
      const leader = await sleeper({ MARK: `lead-d-${rep}` });
      for (let i = 0; i < ESCAPEES; i++) await sleeper({ MARK: `run-d-${rep}` });
      await startDuring(DURING, own, parent);
      const search = { startedSince: Number(processStartTime(leader)), after: { pid: leader, since: spawnedAt, walkLimit: 0 } };
      for (const times of [first, again]) {
        const t0 = performance.now();
        const found = findMarkedProcesses(`MARK=run-d-${rep}`, search);
        times.push(performance.now() - t0);
        if (found.length !== ESCAPEES) throw new Error(`found ${found.length} of the ${ESCAPEES} marked processes`);
      }
      for (const child of children.splice(kept)) child.kill('SIGKILL');
      if (!own) execFileSync('pkill', ['-KILL', '-P', String(parent.pid)], { stdio: 'ignore' });
    }
    const by = own ? 'this process (their parent: read)' : 'another process (foreign: not read)';
    report(`scan with ${OTHERS} + ${DURING} started during the execution by ${by}, /proc listed`, `p50 ${ms(percentile(first, 50))}, right after it ${ms(percentile(again, 50))}`);
  }
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
    await startedDuring();
  } finally {
    killAll();
  }
}
