// CPU time of a set of processes over a window, from /proc/<pid>/stat (Linux). The set may change while
// the window is open (PostgreSQL backends come and go with their pools): it is listed again on each tick,
// a process seen first after the start counts from zero (it was born in the window), and one that ended
// keeps the time it had at its last tick.
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc times (`getconf CLK_TCK`; 100 on every Linux we run on). */
const TICKS_PER_SECOND = 100;
/** How often the set is listed again and read while the window is open. */
export const CPU_TICK_MS = 200;

/** A process of a system, and which part of it the process is (coordinator, runner, postgres, …). */
export interface MeteredProcess {
  pid: number;
  part: string;
}

/** CPU time in ms: the process's own (user + system, all threads) and that of its children it waited for (the executors). */
export interface CpuTimes {
  ownMs: number;
  childrenMs: number;
}

/** The CPU times of a live process, or undefined when it is gone. */
export function readCpuTimes(pid: number): CpuTimes | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name (which may hold spaces): state is [0], utime [11], stime [12], cutime [13], cstime [14].
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ms = (i: number) => (Number(fields[i]) * 1000) / TICKS_PER_SECOND;
  return { ownMs: ms(11) + ms(12), childrenMs: ms(13) + ms(14) };
}

interface Seen {
  part: string;
  first: CpuTimes;
  last: CpuTimes;
}

/** Measures the CPU a changing set of processes uses between `start` and `stop`. */
export class CpuMeter {
  readonly #list: () => Promise<MeteredProcess[]>;
  readonly #seen = new Map<number, Seen>();
  #timer: NodeJS.Timeout | undefined;
  #reading: Promise<void> = Promise.resolve();

  /** @param list the processes of the system now (called at start, on each tick, and at stop). */
  constructor(list: () => Promise<MeteredProcess[]>) {
    this.#list = list;
  }

  async start(): Promise<void> {
    this.#seen.clear();
    await this.#read(true);
    this.#timer = setInterval(() => void (this.#reading = this.#reading.then(() => this.#read(false))), CPU_TICK_MS);
  }

  /** @returns the CPU each part used in the window. */
  async stop(): Promise<Map<string, CpuTimes>> {
    clearInterval(this.#timer);
    await this.#reading;
    await this.#read(false);
    const parts = new Map<string, CpuTimes>();
    for (const { part, first, last } of this.#seen.values()) {
      const sum = parts.get(part) ?? { ownMs: 0, childrenMs: 0 };
      parts.set(part, { ownMs: sum.ownMs + last.ownMs - first.ownMs, childrenMs: sum.childrenMs + last.childrenMs - first.childrenMs });
    }
    return parts;
  }

  async #read(atStart: boolean): Promise<void> {
    for (const { pid, part } of await this.#list()) {
      const now = readCpuTimes(pid);
      if (now === undefined) continue;
      const seen = this.#seen.get(pid);
      if (seen === undefined) this.#seen.set(pid, { part, first: atStart ? now : { ownMs: 0, childrenMs: 0 }, last: now });
      else seen.last = now;
    }
  }
}
