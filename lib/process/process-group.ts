import { readdirSync, readFileSync } from 'node:fs';

/**
 * Executors run in their own process group (spawned detached, so the child calls setsid), which lets one
 * signal to `-pgid` reach every process the executor started, however deep.
 */

/** Send a signal to every process of a group. False when the group has no process left. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** Whether any process of the group is still alive. */
export function groupIsAlive(pgid: number): boolean {
  return signalGroup(pgid, 0);
}

// Groups we started and may not have finished killing. If this process exits first (a CLI run ending,
// a crash), SIGKILL them: no executor outlives the process that supervised it.
const liveGroups = new Set<number>();
let exitHookInstalled = false;

/** Note a group we started, so it is killed if this process exits before we are done with it. */
export function trackGroup(pgid: number): void {
  liveGroups.add(pgid);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const group of liveGroups) signalGroup(group, 'SIGKILL');
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
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return true; // no /proc: trust kill(2)
  }
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // Fields after the parenthesised command name: state, ppid, pgrp, ...
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z') return true;
  }
  return false;
}

/**
 * What terminating an executor needs from its process group. The termination steps take it as a
 * parameter, so their timing can be tested with fake timers; `openProcessGroup` is the real one.
 */
export interface ProcessGroup {
  /** Signal every process of the group. False when the group has no process left. */
  signal(signal: NodeJS.Signals): boolean;
  /** Any process of the group (a zombie included) still exists. */
  isAlive(): boolean;
  /** Any process of the group still runs (zombies left out). */
  hasRunningProcess(): boolean;
  /** Done with the group: it is no longer killed when this process exits. */
  forget(): void;
}

/** The process group `pgid` of an executor just started, tracked until it is forgotten. */
export function openProcessGroup(pgid: number): ProcessGroup {
  trackGroup(pgid);
  return {
    signal: (signal) => signalGroup(pgid, signal),
    isAlive: () => groupIsAlive(pgid),
    hasRunningProcess: () => groupHasRunningProcess(pgid),
    forget: () => untrackGroup(pgid),
  };
}
