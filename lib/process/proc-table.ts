import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { KnownStartTimes, pidsAfter } from './known-start-times.js';

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

/** One buffer for every stat read: a scan reads a few hundred of these small files at a time. */
const statBuffer = Buffer.allocUnsafe(4096);

/** The process's stat, or undefined when it does not exist (or there is no /proc). */
export function readProcStat(pid: number): ProcStat | undefined {
  let fd: number;
  try {
    fd = openSync(`/proc/${pid}/stat`, 'r');
  } catch {
    return undefined;
  }
  let stat: string;
  try {
    // open + read + close into a reused buffer: a third of readFileSync's cost (no fstat, no allocation).
    stat = statBuffer.toString('latin1', 0, readSync(fd, statBuffer, 0, statBuffer.length, 0));
  } catch {
    return undefined; // it exited between the open and the read
  } finally {
    closeSync(fd);
  }
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

/** Start times read by earlier scans of this process (known-start-times.ts). */
const startTimes = new KnownStartTimes();

/** Which processes a search for marked processes may pass over without reading them. */
export interface MarkedSearch {
  /**
   * Clock ticks after boot (ProcStat.startTime): processes that started earlier are passed over without
   * reading their environment, and without reading their stat again when an earlier scan read it and the
   * pid cannot have been reused since (reading every process's environ after each executor exit doubled
   * the runner's CPU per run, 13.9 → 28.1 ms on the runner bench).
   */
  startedSince?: number;
  /**
   * A process (an executor's group leader) and when it was about to start (performance.now() before the
   * spawn): what it started has pids handed out after its own, so while the pids cannot have gone round
   * since (pidsAfter), no other pid is read at all. With fifty runners on a machine, a
   * scan otherwise read the stat of every process the others had started since its previous scan.
   */
  after?: { pid: number; since: number };
  /** Members of this group are left out (before their environment is read): the caller signals it whole. */
  exceptGroup?: number;
}

/** Running (not zombie) processes whose environment holds `entry`, with their group. Empty without /proc. */
export function findMarkedProcesses(entry: string, search: MarkedSearch = {}): Array<{ pid: number; pgrp: number }> {
  const { startedSince, after, exceptGroup } = search;
  const found: Array<{ pid: number; pgrp: number }> = [];
  const scan = startTimes.begin();
  const pids = listPids() ?? [];
  const mayBeItsOwn = after === undefined ? undefined : pidsAfter(after.pid, after.since);
  for (const pid of pids) {
    if (pid === process.pid) continue;
    const known = scan.known(pid); // looked up first: a pid passed over stays known for later scans
    if (mayBeItsOwn !== undefined && !mayBeItsOwn(pid)) continue;
    if (startedSince !== undefined && known !== undefined && known < startedSince) continue;
    const stat = readProcStat(pid);
    if (stat === undefined) continue;
    scan.record(pid, Number(stat.startTime));
    if (stat.state === 'Z') continue;
    if (startedSince !== undefined && Number(stat.startTime) < startedSince) continue;
    if (stat.pgrp === exceptGroup) continue; // the caller signals that group as a whole: no environ to read
    if (environHolds(pid, entry)) found.push({ pid, pgrp: stat.pgrp });
  }
  scan.end();
  return found;
}
