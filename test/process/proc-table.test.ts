import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_GAP_MS } from '../../lib/process/known-start-times.js';
import { environHolds, findMarkedProcesses, ownAncestry, PID_WALK_LIMIT, processStartTime, readProcStat, walksPids } from '../../lib/process/proc-table.js';

/** sleep(1) by its path: the environments below have no PATH. */
const SLEEP = execFileSync('sh', ['-c', 'command -v sleep'], { encoding: 'utf8' }).trim();

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) if (child.pid !== undefined) try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
});

/**
 * A `sleep` in a group of its own with exactly `env` as its environment; resolves once it has exec'd (the
 * `spawn` event). Started directly: through a shell, its environ can be read mid-exec and come back empty.
 */
async function sleeper(env: Record<string, string>): Promise<number> {
  const child = spawn(SLEEP, ['60'], { env, detached: true, stdio: 'ignore' });
  started.push(child);
  await new Promise((resolve) => child.once('spawn', resolve));
  return child.pid!;
}

/**
 * A shell (another runner, as it were) that starts a `sleep` with `env` added to its own environment each
 * time it is asked, and says the sleep's pid.
 */
function foreignParent(): { pid: number; start: (env: string) => Promise<number> } {
  const child = spawn('sh', ['-c', `while read -r env; do env "$env" ${SLEEP} 60 & echo $!; done`], { detached: true, stdio: ['pipe', 'pipe', 'ignore'] });
  started.push(child);
  const pids: Array<(pid: number) => void> = [];
  child.stdout!.setEncoding('utf8').on('data', (text: string) => {
    for (const line of text.split('\n').filter(Boolean)) pids.shift()?.(Number(line));
  });
  return {
    pid: child.pid!,
    start: (env) =>
      new Promise((resolve) => {
        pids.push(resolve);
        child.stdin!.write(`${env}\n`);
      }),
  };
}

/** A sleeper started in a later clock tick than `pid` (a process's start time counts ticks: 10 ms). */
async function sleeperAfter(pid: number, env: Record<string, string>): Promise<number> {
  for (;;) {
    const later = await sleeper(env);
    if (Number(processStartTime(later)) > Number(processStartTime(pid))) return later;
    process.kill(later, 'SIGKILL');
  }
}

/** Until the process's environ holds `entry` (a fresh `env` has exec'd its sleep). */
async function untilExecd(pid: number, entry: string): Promise<void> {
  while (!environHolds(pid, entry)) await new Promise((resolve) => setImmediate(resolve));
}

describe.runIf(process.platform === 'linux')('proc-table (Linux /proc)', () => {
  it('reads this process\'s stat: running, its parent, its start time', () => {
    const stat = readProcStat(process.pid)!;
    expect(stat.ppid).toBe(process.ppid);
    expect(stat.startTime).toMatch(/^\d+$/);
    expect(processStartTime(process.pid)).toBe(stat.startTime);
    expect(readProcStat(2 ** 22 + 1)).toBeUndefined(); // above pid_max: never a process
  });

  it('finds an entry of the environment whole, wherever it is, and never a prefix or a suffix of one', async () => {
    const pid = await sleeper({ FIRST: 'a', MARK: 'x1', LAST: 'z' });
    expect(environHolds(pid, 'FIRST=a')).toBe(true);
    expect(environHolds(pid, 'MARK=x1')).toBe(true);
    expect(environHolds(pid, 'LAST=z')).toBe(true);
    expect(environHolds(pid, 'MARK=x')).toBe(false);
    expect(environHolds(pid, 'ARK=x1')).toBe(false);
    expect(environHolds(pid, 'LAST=')).toBe(false);
    expect(environHolds(2 ** 22 + 1, 'MARK=x1')).toBe(false);
  });

  it('finds the processes carrying a mark, with their group, and passes over those started before a given time', async () => {
    const before = await sleeper({ MARK: 'm-1' });
    const since = Number(processStartTime(before)) + 1;
    const other = await sleeper({ MARK: 'm-2' });
    expect(findMarkedProcesses('MARK=m-1')).toEqual([{ pid: before, pgrp: before }]);
    expect(findMarkedProcesses('MARK=m-2')).toEqual([{ pid: other, pgrp: other }]);
    // Started in an earlier clock tick than `since`: not read (the process group of an executor starts first).
    const after = findMarkedProcesses('MARK=m-1', { startedSince: since });
    expect(after).toEqual([]);
  });

  it('passes over the pids handed out before a given process, while they cannot have gone round since', async () => {
    const spawnedAt = performance.now();
    const before = await sleeper({ MARK: 'm-3' });
    const leader = await sleeper({ OTHER: '1' });
    const after = await sleeper({ MARK: 'm-3' });
    const found = (since: number) => findMarkedProcesses('MARK=m-3', { after: { pid: leader, since } }).map((p) => p.pid).sort((a, b) => a - b);
    // Started before the leader: not read; after it: found.
    expect(found(spawnedAt)).toEqual([after]);
    // The leader started long ago (the pids may have gone round): every process is read.
    expect(found(performance.now() - MAX_GAP_MS - 1)).toEqual([before, after].sort((a, b) => a - b));
  });

  it('finds the same processes whether it walks the pids after the leader or lists /proc', async () => {
    const spawnedAt = performance.now();
    await sleeper({ MARK: 'm-4' }); // before the leader
    const leader = await sleeper({ OTHER: '1' });
    const first = await sleeper({ MARK: 'm-4' });
    const second = await sleeper({ MARK: 'm-4', OTHER: '2' });
    await sleeper({ MARK: 'm-5' });
    const search = (walkLimit: number) => findMarkedProcesses('MARK=m-4', { after: { pid: leader, since: spawnedAt, walkLimit } }).map((p) => p.pid).sort((a, b) => a - b);
    expect(search(PID_WALK_LIMIT)).toEqual([first, second]);
    expect(search(0)).toEqual([first, second]); // listed: the range is longer than the limit
  });

  it('passes over the members of other executions\' groups within the pids after the leader, and nowhere else', async () => {
    const spawnedAt = performance.now();
    const leader = await sleeper({ OTHER: '1' });
    // Each sleeper heads a group of its own: one an escapee of this execution (setsid), one another execution.
    const escapee = await sleeper({ MARK: 'm-6' });
    const otherExecution = await sleeper({ MARK: 'm-6' });
    const otherGroup = (pgrp: number) => pgrp === otherExecution;
    const pids = (search: Parameters<typeof findMarkedProcesses>[1]) => findMarkedProcesses('MARK=m-6', search).map((p) => p.pid).sort((a, b) => a - b);
    for (const walkLimit of [PID_WALK_LIMIT, 0]) expect(pids({ after: { pid: leader, since: spawnedAt, walkLimit }, otherGroup })).toEqual([escapee]);
    // Without the range (or once the pids may have gone round) a group's id says nothing: every process is read.
    expect(pids({ otherGroup })).toEqual([escapee, otherExecution].sort((a, b) => a - b));
    expect(pids({ after: { pid: leader, since: performance.now() - MAX_GAP_MS - 1 }, otherGroup })).toEqual([escapee, otherExecution].sort((a, b) => a - b));
  });

  it('passes over a marked process whose parents lead to another process started before the leader, and keeps one this process started', async () => {
    const other = foreignParent();
    await other.start('WARM=1'); // the shell has run once: it started before the leader
    const spawnedAt = performance.now();
    const leader = await sleeperAfter(other.pid, { OTHER: '1' });
    const since = Number(processStartTime(leader));
    const foreign = await other.start('MARK=m-8');
    await untilExecd(foreign, 'MARK=m-8');
    const ours = await sleeper({ MARK: 'm-8' });
    expect(readProcStat(foreign)!.ppid).toBe(other.pid);
    expect(ownAncestry().has(process.pid)).toBe(true);
    for (const walkLimit of [PID_WALK_LIMIT, 0]) {
      const search = { startedSince: since, after: { pid: leader, since: spawnedAt, walkLimit } };
      expect(findMarkedProcesses('MARK=m-8', search).map((p) => p.pid)).toEqual([ours]);
      expect(findMarkedProcesses('MARK=m-8', search).map((p) => p.pid)).toEqual([ours]); // the listing's cached verdict too
    }
    // Without the leader's start time, nothing is told from the parents: both are found.
    expect(findMarkedProcesses('MARK=m-8').map((p) => p.pid).sort((a, b) => a - b)).toEqual([foreign, ours].sort((a, b) => a - b));
  });

  it('walks a range only when it is short and has not wrapped past pid_max', () => {
    expect(walksPids(100, 100)).toBe(true);
    expect(walksPids(100, 100 + PID_WALK_LIMIT)).toBe(true);
    expect(walksPids(100, 101 + PID_WALK_LIMIT)).toBe(false);
    expect(walksPids(32_700, 20)).toBe(false);
    expect(walksPids(100, 110, 5)).toBe(false);
  });
});
