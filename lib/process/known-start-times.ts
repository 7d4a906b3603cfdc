import { readProcFile } from './proc-file.js';

/**
 * Start times of processes that earlier scans of /proc read, reused by the next scan for the pids the
 * kernel cannot have handed out again in between, so a scan reads the stat of new processes only.
 *
 * Linux hands out pids cyclically: `/proc/sys/kernel/ns_last_pid` is the last one given. Between two scans
 * the new processes got the pids after the first scan's cursor up to the second's, so a pid outside that
 * range still names the process it named before, provided fewer than `pid_max` (at least 32,768) processes
 * were started in between: a scan that comes more than MAX_GAP_MS after the last one trusts nothing.
 * Measured on the runner bench (a scan for escaped processes after each executor exit, 16 at once): the
 * scan was 2.2 ms of the runner's CPU per run, a third of all it spent, reading ~150 stat files each time.
 */

/** A scan more than this long after the previous one reads every process again. */
export const MAX_GAP_MS = 1_000;

const LAST_PID_FILE = '/proc/sys/kernel/ns_last_pid';

/** The last pid the kernel handed out, or undefined without /proc. */
export function lastPid(): number | undefined {
  const text = readProcFile(LAST_PID_FILE);
  const value = text === undefined ? NaN : Number(text.trim());
  return Number.isInteger(value) && value >= 0 ? value : undefined;
}

/** Whether `pid` lies in (first, last], pids handed out in order after `first` up to `last`, wrapping past pid_max. */
export function inPidRange(pid: number, first: number, last: number): boolean {
  return first <= last ? pid > first && pid <= last : pid > first || pid <= last;
}

/** What the pid cursor was, and when, as one read of it (given in tests). */
export interface CursorRead {
  cursor: number | undefined;
  now: number;
}

/**
 * The pids handed out after the process `first`, itself started no earlier than `since`
 * (performance.now()): every process it started since got one, in (first, cursor]. Undefined when that
 * cannot be told: no cursor, or `since` more than MAX_GAP_MS ago (the pids may have gone round). Read the
 * cursor after listing /proc, so every pid listed was handed out by then.
 */
export function pidsAfter(first: number, since: number, read: CursorRead = { cursor: lastPid(), now: performance.now() }): ((pid: number) => boolean) | undefined {
  const last = lastPidAfter(first, since, read);
  return last === undefined ? undefined : (pid) => inPidRange(pid, first, last);
}

/** The cursor of `read` if the pids in (first, cursor] are all the process `first` (started no earlier than `since`) can have started (see pidsAfter). */
export function lastPidAfter(first: number, since: number, read: CursorRead = { cursor: lastPid(), now: performance.now() }): number | undefined {
  const { cursor, now } = read;
  return cursor === undefined || now - since > MAX_GAP_MS ? undefined : cursor;
}

/** What a scan read of a process: its start time and its parent (lineage.ts), and any foreign verdict. */
export interface KnownProcess {
  startTime: number;
  ppid: number;
  /**
   * Set when a search found the process foreign to an execution whose leader started at this time
   * (ExecutionLineage): it is foreign to every execution started then or later.
   */
  foreignSince?: number;
}

/** One scan's view of the cache: lookups for pids not reused since the last scan, and what this scan read. */
export interface StartTimeScan {
  /** What an earlier scan read of `pid`, if `pid` cannot have been given to another process since. */
  known(pid: number): KnownProcess | undefined;
  /** Note what this scan read (or confirmed) of `pid`. */
  record(pid: number, startTime: number, ppid: number): void;
  /** Note that `pid` (recorded) is foreign to the executions started at `since` or later. */
  foreign(pid: number, since: number): void;
  /** The scan is over: forget the pids it did not see (those processes are gone). */
  end(): void;
}

/** The cache, kept across scans by the process that scans (see the module comment). */
export class KnownStartTimes {
  readonly #times = new Map<number, KnownProcess & { seen: number }>();
  readonly #readLastPid: () => number | undefined;
  readonly #now: () => number;
  #cursor: number | undefined;
  #scannedAt = 0;
  #generation = 0;

  constructor(options: { readLastPid?: () => number | undefined; now?: () => number } = {}) {
    this.#readLastPid = options.readLastPid ?? lastPid;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Start a scan (read the pid cursor before listing /proc; `cursor`: one just read). */
  begin(cursor = this.#readLastPid()): StartTimeScan {
    const now = this.#now();
    const previous = this.#cursor;
    if (cursor === undefined || previous === undefined || now - this.#scannedAt > MAX_GAP_MS) this.#times.clear();
    this.#cursor = cursor;
    this.#scannedAt = now;
    const generation = ++this.#generation;
    // Pids handed out since the previous scan began: (previous, cursor], wrapping past pid_max.
    const reused = (pid: number) => inPidRange(pid, previous!, cursor!);
    return {
      known: (pid) => {
        const entry = this.#times.get(pid);
        if (entry === undefined) return undefined;
        if (reused(pid)) {
          this.#times.delete(pid);
          return undefined;
        }
        entry.seen = generation;
        return entry;
      },
      record: (pid, startTime, ppid) => void this.#times.set(pid, { startTime, ppid, seen: generation }),
      foreign: (pid, since) => {
        const entry = this.#times.get(pid);
        if (entry !== undefined && (entry.foreignSince === undefined || since < entry.foreignSince)) entry.foreignSince = since;
      },
      end: () => {
        for (const [pid, entry] of this.#times) if (entry.seen !== generation) this.#times.delete(pid);
      },
    };
  }
}
