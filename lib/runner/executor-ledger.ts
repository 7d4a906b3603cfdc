import { closeSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { type GroupLedger, markedProcesses, signalGroup, signalProcesses } from '../process/process-group.js';
import { processStartTime } from '../process/proc-table.js';
import { PRIVATE_FILE_MODE, stateFileNames } from '../state/state-dir.js';

/**
 * The executors a runner supervises, on disk in its state folder (`executors-<pid>-<start time>.jsonl`), so
 * that when the runner dies (kill -9, a crash) its watchdog (watchdog.ts), or at the latest the next runner
 * on the same state folder, ends them. Each group is named by its pid and its start time, so a process that
 * later reuses the pid is never killed. Linux only (start times come from /proc); elsewhere nothing is noted.
 *
 * The file is a journal: a header line, then one JSON line per executor started (`{"add":{…}}`) or ended
 * (`{"remove":pgid}`), appended with one write each. Rewriting the whole file atomically at each start and
 * end (temp file + rename) cost the runner 2.2 ms of CPU per run on the runner bench, a fifth of all it
 * spent; an append costs microseconds. A line torn by a crash is skipped when read. The journal is
 * compacted (rewritten with only the live groups) once it holds COMPACT_AFTER_LINES lines.
 */

const LEDGER_PATTERN = /^executors-(\d+)-(\d+)\.jsonl?$/;

/** Journal lines after which the file is rewritten with only the groups still live. */
const COMPACT_AFTER_LINES = 2_000;

/** One executor's process group as the ledger notes it. */
export interface LedgerGroup {
  pgid: number;
  /** The group leader's start time (clock ticks after boot, /proc/<pid>/stat). */
  start_time: string;
  /** Its AGENT_RUNNER_EXECUTION value. */
  mark: string;
}

interface LedgerHeader {
  runner: { pid: number; start_time: string };
}

/** This runner's ledger: one line appended as each executor starts and ends. */
export class ExecutorLedger implements GroupLedger {
  readonly path: string;
  readonly #header: LedgerHeader;
  readonly #live = new Map<number, LedgerGroup>();
  #fd: number;
  #lines = 0;

  /** @returns undefined where the start time of a process cannot be read (no /proc). */
  static open(stateDir: string): ExecutorLedger | undefined {
    const startTime = processStartTime(process.pid);
    return startTime === undefined ? undefined : new ExecutorLedger(stateDir, { runner: { pid: process.pid, start_time: startTime } });
  }

  private constructor(stateDir: string, header: LedgerHeader) {
    this.path = join(stateDir, `executors-${header.runner.pid}-${header.runner.start_time}.jsonl`);
    this.#header = header;
    this.#fd = this.#rewrite();
  }

  add(pgid: number, mark: string, startTime: string): void {
    const group = { pgid, start_time: startTime, mark };
    this.#live.set(pgid, group);
    this.#append({ add: group });
  }

  remove(pgid: number): void {
    if (!this.#live.delete(pgid)) return;
    this.#append({ remove: pgid });
  }

  /** The runner is leaving and its exit hook ends what is left: the file goes. */
  close(): void {
    closeSync(this.#fd);
    rmSync(this.path, { force: true });
  }

  #append(entry: unknown): void {
    writeSync(this.#fd, `${JSON.stringify(entry)}\n`);
    this.#lines += 1;
    if (this.#lines >= COMPACT_AFTER_LINES) {
      closeSync(this.#fd);
      this.#fd = this.#rewrite();
    }
  }

  /** Write the header and the live groups to a temp file, rename it over the journal, and open it to append. */
  #rewrite(): number {
    const temporary = `${this.path}.tmp`;
    const lines = [this.#header, ...[...this.#live.values()].map((group) => ({ add: group }))];
    writeFileSync(temporary, lines.map((line) => `${JSON.stringify(line)}\n`).join(''), { mode: PRIVATE_FILE_MODE });
    renameSync(temporary, this.path);
    this.#lines = lines.length;
    return openSync(this.path, 'a', PRIVATE_FILE_MODE);
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
// Above 1: no executor group is led by init, and a group of -1 would be every process the runner may signal.
const isPid = (value: unknown): value is number => Number.isInteger(value) && (value as number) > 1;

function toGroup(value: unknown): LedgerGroup | undefined {
  if (!isRecord(value) || !isPid(value.pgid) || typeof value.start_time !== 'string' || typeof value.mark !== 'string') return undefined;
  return { pgid: value.pgid, start_time: value.start_time, mark: value.mark };
}

/**
 * The groups a ledger file names as live: replays the journal (skipping lines it cannot read, such as one
 * torn by a crash); also reads the one-document form earlier versions wrote (`{runner, groups: [...]}`).
 * Hand-checked rather than with zod: the watchdog reads it, and it should stay a small process.
 */
export function readLedger(text: string): LedgerGroup[] {
  const live = new Map<number, LedgerGroup>();
  for (const line of text.split('\n')) {
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    if (!isRecord(entry)) continue;
    if (Array.isArray(entry.groups)) for (const group of entry.groups.map(toGroup)) if (group !== undefined) live.set(group.pgid, group);
    const added = toGroup(entry.add);
    if (added !== undefined) live.set(added.pgid, added);
    if (isPid(entry.remove)) live.delete(entry.remove);
  }
  return [...live.values()];
}

/**
 * SIGKILL the executors a ledger file names (each group whose leader still has the recorded start time,
 * and every process carrying a recorded execution mark), then remove the file. @returns how many groups
 * or escaped processes were found running.
 */
export function endRecordedExecutors(path: string): number {
  let groups: LedgerGroup[];
  try {
    groups = readLedger(readFileSync(path, 'utf8'));
  } catch {
    rmSync(path, { force: true }); // gone, or not ours to read: nothing we can act on
    return 0;
  }
  let ended = 0;
  for (const group of groups) {
    // A leader with another start time is a later process that reused the pid: never signal its group.
    if (processStartTime(group.pgid) === group.start_time && signalGroup(group.pgid, 'SIGKILL')) ended += 1;
    // The mark is proof: whatever carries it was started by this executor, in its group or out of it.
    if (signalProcesses(markedProcesses(group.mark).map((found) => found.pid), 'SIGKILL')) ended += 1;
  }
  rmSync(path, { force: true });
  return ended;
}

/**
 * End what earlier runners on this state folder left running (their ledger's owner is gone: its pid is
 * free or belongs to a later process). Call before claiming; `onEnded` is told about each ledger handled.
 */
export function endLeftoverExecutors(stateDir: string, onEnded: (path: string, ended: number) => void): void {
  const names = stateFileNames(stateDir);
  for (const name of names) {
    const match = LEDGER_PATTERN.exec(name);
    if (match === null) continue;
    if (processStartTime(Number(match[1])) === match[2]) continue; // its runner still lives
    const path = join(stateDir, name);
    onEnded(path, endRecordedExecutors(path));
  }
}
