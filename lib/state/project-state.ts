import { chmodSync, copyFileSync, existsSync, readdirSync, renameSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DATABASE_FILE, ensurePrivateDir, preparePrivateDatabase, PRIVATE_FILE_MODE, projectStateDir, stateRoot } from './state-dir.js';

/** The folder under a project where versions before the state directory kept their state. */
export const LEGACY_STATE_DIR = '.agent-runner';

/** Where notices about the state folder go (a pino logger fits). */
export interface StateNotices {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

/** Notices as `<program>: message` lines on stderr, for commands without a logger (`invoke`). */
export function stderrNotices(program: string): StateNotices {
  const write = (_details: object, message: string) => void process.stderr.write(`${program}: ${message}\n`);
  return { info: write, warn: write };
}

/**
 * The state folder of the project run from `cwd`, created owner-only; on first use, the files of an old
 * `<cwd>/.agent-runner/` are moved into it (said once in the log). State already in the new place is newer
 * and never overwritten: a file whose counterpart exists there stays where it was, with a warning.
 */
export function openProjectState(cwd: string, notices?: StateNotices, env: NodeJS.ProcessEnv = process.env): string {
  const dir = projectStateDir(cwd, env);
  ensurePrivateDir(dir, stateRoot(env));
  migrateLegacyState(resolve(cwd, LEGACY_STATE_DIR), dir, notices);
  return dir;
}

/** The SQLite file of the project's coordinator (embedded, or `agent-coordinator` without `--database-url`), owner-only. */
export function openProjectDatabase(cwd: string, notices?: StateNotices, env: NodeJS.ProcessEnv = process.env): string {
  const path = join(openProjectState(cwd, notices, env), DATABASE_FILE);
  preparePrivateDatabase(path);
  return path;
}

/** A SQLite database moves with its -wal/-shm/-journal files or not at all. */
const unitOf = (file: string) => file.replace(/-(wal|shm|journal)$/, '');

function migrateLegacyState(legacy: string, dir: string, notices: StateNotices | undefined): void {
  let files: string[];
  try {
    if (!statSync(legacy).isDirectory()) return;
    files = readdirSync(legacy).filter((f) => statSync(join(legacy, f)).isFile());
  } catch {
    return; // no old folder (the usual case), or another process moved it a moment ago
  }
  const units = new Map<string, string[]>();
  for (const file of files) units.set(unitOf(file), [...(units.get(unitOf(file)) ?? []), file]);
  const moved: string[] = [];
  const kept: string[] = [];
  for (const group of units.values()) {
    if (group.some((file) => existsSync(join(dir, file)))) {
      kept.push(...group);
      continue;
    }
    for (const file of group) if (moveFile(join(legacy, file), join(dir, file))) moved.push(file);
  }
  if (moved.length > 0) notices?.info({ from: legacy, to: dir, files: moved }, `moved agent-runner state from ${legacy} to ${dir}`);
  if (kept.length > 0) notices?.warn({ from: legacy, to: dir, files: kept }, `left ${kept.join(', ')} in ${legacy}: ${dir} already holds newer state`);
  try {
    rmdirSync(legacy);
  } catch {
    // not empty (files kept, or a folder we do not know): leave it
  }
}

/** Move one file (copy and delete across file systems), owner-only; false when it vanished meanwhile. */
function moveFile(from: string, to: string): boolean {
  try {
    renameSync(from, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return false;
    if (code !== 'EXDEV') throw error;
    copyFileSync(from, to);
    rmSync(from);
  }
  chmodSync(to, PRIVATE_FILE_MODE);
  return true;
}
