import { sendSignal } from './send-signal.js';
import { findMarkedProcesses, listPids, type MarkedSearch, readProcStat } from './proc-table.js';

/**
 * Executors run in their own process group (spawned detached, so the child calls setsid), which lets one
 * signal to `-pgid` reach every process the executor started, however deep. A process that leaves the
 * group (its own `setsid`) is still found by the mark every executor gets in its environment
 * (EXECUTION_MARK_ENV), on Linux.
 */

/** The variable that marks every process an executor starts (`<name>=<random id>`), inherited wherever they go. */
export const EXECUTION_MARK_ENV = 'AGENT_RUNNER_EXECUTION';

/** Send a signal to every process of a group. False when the group has no process left. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  // -1 would be every process this user may signal, -0 this process's own group.
  if (!Number.isSafeInteger(pgid) || pgid <= 1) throw new RangeError(`process group ${pgid} is not a group this runner started`);
  return sendSignal(-pgid, signal);
}

/** Whether any process of the group is still alive. */
export function groupIsAlive(pgid: number): boolean {
  return signalGroup(pgid, 0);
}

/**
 * Running processes carrying the execution mark `mark`, wherever they are, with their group; `search`
 * passes over those that cannot be the executor's (started before it) and leaves a group out.
 */
export function markedProcesses(mark: string, search: MarkedSearch = {}): Array<{ pid: number; pgrp: number }> {
  return findMarkedProcesses(`${EXECUTION_MARK_ENV}=${mark}`, search);
}

/** Processes carrying the execution mark `mark` that left the group `pgid` (a `setsid` of their own). */
export function escapedProcesses(pgid: number, mark: string | undefined, search: Omit<MarkedSearch, 'exceptGroup'> = {}): number[] {
  if (mark === undefined) return [];
  return markedProcesses(mark, { ...search, exceptGroup: pgid }).map((found) => found.pid);
}

/** Signal processes one by one, ignoring those gone meanwhile. @returns whether any was signalled. */
export function signalProcesses(pids: readonly number[], signal: NodeJS.Signals): boolean {
  let any = false;
  for (const pid of pids) {
    try {
      if (sendSignal(pid, signal)) any = true;
    } catch {
      // not ours to signal (EPERM)
    }
  }
  return any;
}

// Groups we started and may not have finished killing, with their execution marks. If this process exits
// first (a CLI run ending, a crash), SIGKILL them: no executor outlives the process that supervised it.
const liveGroups = new Map<number, string | undefined>();
let exitHookInstalled = false;

/** Note a group we started, so it is killed if this process exits before we are done with it. */
export function trackGroup(pgid: number, mark?: string): void {
  liveGroups.set(pgid, mark);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const [group, groupMark] of liveGroups) {
        signalGroup(group, 'SIGKILL');
        signalProcesses(escapedProcesses(group, groupMark), 'SIGKILL');
      }
    });
  }
}

/** Forget a group we are done with, so a later process reusing the number is never signalled. */
export function untrackGroup(pgid: number): void {
  liveGroups.delete(pgid);
}

/**
 * Whether the group has a process that is still running. A zombie (exited, not yet reaped by its new
 * parent) is a member for kill(2) but no longer runs, so on Linux /proc is read to leave zombies out.
 */
export function groupHasRunningProcess(pgid: number): boolean {
  if (!groupIsAlive(pgid)) return false;
  const pids = listPids();
  if (pids === undefined) return true; // no /proc: trust kill(2)
  return pids.some((pid) => {
    const stat = readProcStat(pid);
    return stat !== undefined && stat.pgrp === pgid && stat.state !== 'Z';
  });
}

/** Where a runner notes the groups it supervises, so they can be ended if it dies (lib/runner/executor-ledger.ts). */
export interface GroupLedger {
  /** `startTime`: the group leader's (ProcStat.startTime), as read when the group was opened. */
  add(pgid: number, mark: string, startTime: string): void;
  remove(pgid: number): void;
}

/**
 * What terminating an executor needs from its process group. The termination steps take it as a
 * parameter, so their timing can be tested with fake timers; `openProcessGroup` is the real one.
 */
export interface ProcessGroup {
  /** Signal every process of the group (and those that escaped it). False when none is left. */
  signal(signal: NodeJS.Signals): boolean;
  /** Any process of the group (a zombie included), or one that escaped it, still exists. */
  isAlive(): boolean;
  /** Any process of the group, or one that escaped it, still runs (zombies left out). */
  hasRunningProcess(): boolean;
  /** Done with the group: it is no longer killed when this process exits. */
  forget(): void;
}

/**
 * The process group `pgid` of an executor just started, tracked until it is forgotten; `mark` is the
 * value of its EXECUTION_MARK_ENV (processes that left the group are found by it), `ledger` notes it on
 * disk, `spawnedAt` is performance.now() taken before the spawn (scans for escapees then read only pids
 * handed out after the leader's while that is all they can have).
 */
export function openProcessGroup(pgid: number, mark?: string, ledger?: GroupLedger, spawnedAt?: number): ProcessGroup {
  trackGroup(pgid, mark);
  // Read once: the ledger names the group by it, and every process the executor starts starts after its
  // group leader, so only those need their environ read when looking for escapees.
  const leaderStart = readProcStat(pgid)?.startTime;
  if (mark !== undefined && leaderStart !== undefined && leaderStart !== '') ledger?.add(pgid, mark, leaderStart);
  const since = leaderStart === undefined || leaderStart === '' ? undefined : Number(leaderStart);
  // Once nothing of the execution runs (in the group or escaped), nothing of it can start again: later
  // questions need no scan of /proc (a scan is most of what a run's end costs the runner).
  let quiet = false;
  const search: Omit<MarkedSearch, 'exceptGroup'> = {
    startedSince: since,
    after: spawnedAt === undefined ? undefined : { pid: pgid, since: spawnedAt },
    otherGroup: (pgrp) => pgrp !== pgid && liveGroups.has(pgrp),
  };
  const escaped = () => (quiet ? [] : escapedProcesses(pgid, mark, search));
  return {
    signal: (signal) => {
      const inGroup = signalGroup(pgid, signal);
      return signalProcesses(escaped(), signal) || inGroup;
    },
    isAlive: () => groupIsAlive(pgid) || escaped().length > 0,
    hasRunningProcess: () => {
      const running = groupHasRunningProcess(pgid) || escaped().length > 0;
      if (!running) quiet = true;
      return running;
    },
    forget: () => {
      untrackGroup(pgid);
      ledger?.remove(pgid);
    },
  };
}
