import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { type GroupLedger, markedProcesses, signalGroup, signalProcesses } from '../process/process-group.js';
import { processStartTime } from '../process/proc-table.js';
import { PRIVATE_FILE_MODE, stateFileNames } from '../state/state-dir.js';

/**
 * The executors a runner supervises, on disk in its state folder (`executors-<pid>-<start time>.json`), so
 * that when the runner dies (kill -9, a crash) its watchdog (watchdog.ts), or at the latest the next runner
 * on the same state folder, ends them. Each group is named by its pid and its start time, so a process that
 * later reuses the pid is never killed. Linux only (start times come from /proc); elsewhere nothing is noted.
 */

const LEDGER_PATTERN = /^executors-(\d+)-(\d+)\.json$/;

const LedgerSchema = z.object({
  runner: z.object({ pid: z.int(), start_time: z.string() }),
  groups: z.array(z.object({ pgid: z.int(), start_time: z.string(), mark: z.string() })),
});
type LedgerFile = z.infer<typeof LedgerSchema>;

/** This runner's ledger: rewritten (atomically) as executors start and end. */
export class ExecutorLedger implements GroupLedger {
  readonly path: string;
  readonly #file: LedgerFile;

  /** @returns undefined where the start time of a process cannot be read (no /proc). */
  static open(stateDir: string): ExecutorLedger | undefined {
    const startTime = processStartTime(process.pid);
    return startTime === undefined ? undefined : new ExecutorLedger(stateDir, { pid: process.pid, start_time: startTime });
  }

  private constructor(stateDir: string, runner: LedgerFile['runner']) {
    this.path = join(stateDir, `executors-${runner.pid}-${runner.start_time}.json`);
    this.#file = { runner, groups: [] };
    this.#write();
  }

  add(pgid: number, mark: string, startTime: string): void {
    this.#file.groups.push({ pgid, start_time: startTime, mark });
    this.#write();
  }

  remove(pgid: number): void {
    const before = this.#file.groups.length;
    this.#file.groups = this.#file.groups.filter((group) => group.pgid !== pgid);
    if (this.#file.groups.length !== before) this.#write();
  }

  /** The runner is leaving and its exit hook ends what is left: the file goes. */
  close(): void {
    rmSync(this.path, { force: true });
  }

  #write(): void {
    const temporary = `${this.path}.tmp`;
    writeFileSync(temporary, JSON.stringify(this.#file), { mode: PRIVATE_FILE_MODE });
    renameSync(temporary, this.path);
  }
}

/**
 * SIGKILL the executors a ledger file names (each group whose leader still has the recorded start time,
 * and every process carrying a recorded execution mark), then remove the file. @returns how many groups
 * or escaped processes were found running.
 */
export function endRecordedExecutors(path: string): number {
  let file: LedgerFile;
  try {
    file = LedgerSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch {
    rmSync(path, { force: true }); // gone, or not ours to read: nothing we can act on
    return 0;
  }
  let ended = 0;
  for (const group of file.groups) {
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
