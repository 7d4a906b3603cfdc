import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readProcFile } from './proc-file.js';
import { type KnownProcess, KnownStartTimes, lastPidAfter, pidsAfter } from './known-start-times.js';
import { ExecutionLineage, type ParentLink } from './lineage.js';

/**
 * What Linux's /proc says about processes: enough to tell a process we started from a later one that
 * reuses its pid (the start time), and to find the processes an executor started wherever they went (the
 * mark in their environment). Linux only: elsewhere every answer is "unknown" and callers trust kill(2).
 */

/** The fields of /proc/<pid>/stat we use. */
export interface ProcStat {
  /** One letter: R running, S sleeping, Z zombie, ... */
  state: string;
  ppid: number;
  pgrp: number;
  /** Clock ticks after boot when the process started: with the pid, it names one process for good. */
  startTime: string;
}

/** The process's stat, or undefined when it does not exist (or there is no /proc). */
export function readProcStat(pid: number): ProcStat | undefined {
  const stat = readProcFile(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // Fields after the parenthesised command name (which may hold spaces): state, ppid, pgrp, ... starttime (22nd field).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '', ppid: Number(fields[1]), pgrp: Number(fields[2]), startTime: fields[19] ?? '' };
}

/** When the process started (see ProcStat.startTime); undefined when it does not exist. */
export function processStartTime(pid: number): string | undefined {
  return readProcStat(pid)?.startTime;
}

/** Every pid in /proc; undefined when there is no /proc. */
export function listPids(): number[] | undefined {
  try {
    return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
  } catch {
    return undefined;
  }
}

/** This process and its ancestors, as last read; read again when its parent changed. */
let ancestry: { ppid: number; pids: Set<number> } | undefined;

/** This process's pid and its ancestors' (up to init), read from /proc once and again when its parent changes. */
export function ownAncestry(): ReadonlySet<number> {
  const ppid = process.ppid;
  if (ancestry?.ppid !== ppid) {
    const pids = new Set([process.pid]);
    for (let pid = ppid; pid > 0 && !pids.has(pid); pid = readProcStat(pid)?.ppid ?? 0) pids.add(pid);
    ancestry = { ppid, pids };
  }
  return ancestry.pids;
}

/** Whether the process's environment (as it was started) holds `entry` (`NAME=value`); false when unreadable. */
export function environHolds(pid: number, entry: string): boolean {
  let environ: Buffer;
  try {
    environ = readFileSync(`/proc/${pid}/environ`);
  } catch {
    return false; // gone, or another user's
  }
  // Entries end with a NUL (the last one may not): the entry whole, at the start or right after a NUL.
  const padded = Buffer.from(`\0${entry}\0`);
  const atStart = environ.subarray(0, padded.length - 1).equals(padded.subarray(1));
  const atEnd = environ.length >= padded.length - 1 && environ.subarray(environ.length - padded.length + 1).equals(padded.subarray(0, -1));
  return atStart || atEnd || environ.indexOf(padded) !== -1;
}

/** What earlier scans of this process read (known-start-times.ts): those that list /proc, and those that walk a range of pids. */
const listedProcesses = new KnownStartTimes();
const walkedProcesses = new KnownStartTimes();

/** Which processes a search for marked processes may pass over without reading them. */
export interface MarkedSearch {
  /**
   * Clock ticks after boot (ProcStat.startTime): processes that started earlier are passed over without
   * reading their environment, and without reading their stat again when an earlier scan read it and the
   * pid cannot have been reused since (reading every process's environ after each executor exit doubled
   * the runner's CPU per run, 13.9 → 28.1 ms on the runner bench). It is also the execution's leader's
   * start time for ExecutionLineage: a process whose parents show it cannot be the execution's (another
   * runner's executor, say) is passed over before its environment is read, and, across scans, unread.
   */
  startedSince?: number;
  /**
   * A process (an executor's group leader) and when it was about to start (performance.now() before the
   * spawn): what it started has pids handed out after its own, so while the pids cannot have gone round
   * since (pidsAfter), no other pid is read at all. With fifty runners on a machine, a
   * scan otherwise read the stat of every process the others had started since its previous scan.
   */
  after?: {
    pid: number;
    since: number;
    /** Longest range of pids walked (default PID_WALK_LIMIT); a longer one, or a wrapped one, is listed. */
    walkLimit?: number;
  };
  /** Members of this group are left out (before their environment is read): the caller signals it whole. */
  exceptGroup?: number;
  /**
   * Groups of other executions (their leaders' pids), whose members are passed over before their
   * environment is read while `after` holds. What an executor starts stays in its group or in one it makes
   * (setsid: the new group is named by a pid handed out after the leader's), never in another execution's
   * group, each being a session of its own; and while the pids cannot have gone round, no pid of another
   * group's leader is handed out again to a process of this one.
   */
  otherGroup?: (pgrp: number) => boolean;
}

/**
 * Up to this many pids after an executor's, a search looks at each one directly instead of listing /proc.
 * A pid that is gone costs ~5 µs, a live one a stat read; on the proc-scan bench (300 other processes) a
 * walk of 64 live pids, the worst case, took about what a listing did (1.2–2.3 ms against 1.6–2.1 ms),
 * and a runner's walk after a short run meets mostly gone pids (runner CPU in the scan per run, peers
 * bench: 0.64 ms listing, 0.14 ms walking).
 */
export const PID_WALK_LIMIT = 64;

/** Whether a search reads the pids in (first, last] one by one rather than listing /proc: a short range, not wrapped. */
export function walksPids(first: number, last: number, limit = PID_WALK_LIMIT): boolean {
  return last >= first && last - first <= limit;
}

/** Running (not zombie) processes whose environment holds `entry`, with their group. Empty without /proc. */
export function findMarkedProcesses(entry: string, search: MarkedSearch = {}): Array<{ pid: number; pgrp: number }> {
  const { after, startedSince } = search;
  const last = after === undefined ? undefined : lastPidAfter(after.pid, after.since);
  const walk = after !== undefined && last !== undefined && walksPids(after.pid, last, after.walkLimit);
  // The walks and the listings keep a cache each: a cache trusts only what every one of its scans saw.
  const scan = walk ? walkedProcesses.begin(last) : listedProcesses.begin();
  // A process's parent is read once across scans while its pid cannot have been reused (KnownStartTimes).
  const link = (pid: number): ParentLink | undefined => {
    const known = scan.known(pid);
    if (known !== undefined) return known;
    const stat = readProcStat(pid);
    if (stat !== undefined) scan.record(pid, Number(stat.startTime), stat.ppid);
    return linkOf(stat);
  };
  const lineage = startedSince === undefined ? undefined : new ExecutionLineage(startedSince, ownAncestry(), link, (pid) => scan.foreign(pid, startedSince));
  // Read before, or found foreign to this execution or an earlier one: passed over unread.
  const passedOver = (known: KnownProcess | undefined) =>
    startedSince !== undefined && known !== undefined && (known.startTime < startedSince || (known.foreignSince ?? Infinity) <= startedSince);
  const read = (pid: number) => (stat: ProcStat) => scan.record(pid, Number(stat.startTime), stat.ppid);
  const found: Array<{ pid: number; pgrp: number }> = [];
  if (walk) {
    for (let pid = after.pid + 1; pid <= last!; pid++) {
      // Another execution's leader heads its group for as long as the pid is its (see otherGroup).
      if (pid === process.pid || search.otherGroup?.(pid) === true || passedOver(scan.known(pid))) continue;
      // Most pids of the range are gone: existsSync says so at a third of the cost of a failed open (an exception).
      if (!existsSync(`/proc/${pid}`)) continue;
      const marked = markedProcess(pid, entry, search, true, lineage, read(pid));
      if (marked !== undefined) found.push(marked);
    }
    scan.end();
    return found;
  }
  const pids = listPids() ?? [];
  const mayBeItsOwn = after === undefined ? undefined : pidsAfter(after.pid, after.since);
  for (const pid of pids) {
    if (pid === process.pid) continue;
    const known = scan.known(pid); // looked up first: a pid passed over stays known for later scans
    if (mayBeItsOwn !== undefined && !mayBeItsOwn(pid)) continue;
    if (passedOver(known)) continue;
    const marked = markedProcess(pid, entry, search, mayBeItsOwn !== undefined, lineage, read(pid));
    if (marked !== undefined) found.push(marked);
  }
  scan.end();
  return found;
}

function linkOf(stat: ProcStat | undefined): ParentLink | undefined {
  return stat === undefined ? undefined : { ppid: stat.ppid, startTime: Number(stat.startTime) };
}

/**
 * The process `pid`, if it runs and its environment holds `entry`; `inRange`: it is one of the pids handed
 * out after `search.after`'s; `lineage`: passes over a process that cannot descend from the execution.
 */
function markedProcess(
  pid: number,
  entry: string,
  search: MarkedSearch,
  inRange: boolean,
  lineage: ExecutionLineage | undefined,
  read?: (stat: ProcStat) => void,
): { pid: number; pgrp: number } | undefined {
  const stat = readProcStat(pid);
  if (stat === undefined) return undefined;
  read?.(stat);
  if (stat.state === 'Z') return undefined;
  if (search.startedSince !== undefined && Number(stat.startTime) < search.startedSince) return undefined;
  if (stat.pgrp === search.exceptGroup) return undefined; // the caller signals that group as a whole: no environ to read
  if (inRange && search.otherGroup?.(stat.pgrp) === true) return undefined;
  if (lineage?.foreign(pid, { ppid: stat.ppid, startTime: Number(stat.startTime) }) === true) return undefined;
  return environHolds(pid, entry) ? { pid, pgrp: stat.pgrp } : undefined;
}
