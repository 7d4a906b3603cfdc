import { accessSync, constants, lstatSync, readdirSync, readlinkSync, statSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { readExecutorManifest } from './executor-manifest.js';
import type { ExecutorEntry, SearchDir } from './types.js';

/** The executable's file name pattern inside an executor folder: `ao-<anything>-exec`. */
export const EXECUTABLE_PATTERN = /^ao-.*-exec$/;

export interface Discovery {
  /** One entry per name, sorted by name; later search dirs override earlier ones. */
  executors: ExecutorEntry[];
  /** Every dir looked in, and whether it existed. */
  searched: Array<SearchDir & { exists: boolean }>;
}

/** Find the executors in the given search dirs. Reads the file system; never throws for a bad folder. */
export function discoverExecutors(searchDirs: readonly SearchDir[]): Discovery {
  const byName = new Map<string, ExecutorEntry>();
  const searched: Discovery['searched'] = [];
  for (const search of searchDirs) {
    const folders = listFolders(search.dir);
    searched.push({ ...search, exists: folders !== null });
    for (const name of folders ?? []) {
      const entry = inspectFolder(name, search);
      const earlier = byName.get(name);
      if (earlier !== undefined) entry.overrides = [...earlier.overrides, earlier.dir];
      byName.set(name, entry);
    }
  }
  const executors = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  return { executors, searched };
}

function listFolders(dir: string): string[] | null {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return null;
  }
  return entries
    .filter((e) => !e.name.startsWith('.') && (e.isDirectory() || (e.isSymbolicLink() && isDirectory(join(dir, e.name)))))
    .map((e) => e.name);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Look at one executor folder and say what it holds and what is wrong with it. */
export function inspectFolder(name: string, search: SearchDir): ExecutorEntry {
  const dir = join(search.dir, name);
  const entry: ExecutorEntry = {
    name,
    dir,
    path: null,
    source_dir: search.dir,
    source: search.source,
    description: null,
    version: null,
    capabilities: {},
    env: [],
    problems: [],
    overrides: [],
  };
  const { manifest, problems } = readExecutorManifest(join(dir, 'executor.json'));
  Object.assign(entry, manifest);
  entry.problems.push(...problems);

  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => EXECUTABLE_PATTERN.test(f)).sort();
  } catch (error) {
    entry.problems.push(`folder cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    return entry;
  }
  if (files.length === 0) {
    entry.problems.push('no ao-*-exec file in the folder');
    return entry;
  }
  if (files.length > 1) {
    entry.problems.push(`several ao-*-exec files (${files.join(', ')}); keep exactly one`);
    return entry;
  }
  const path = join(dir, files[0]!);
  const fileProblem = checkExecutable(path);
  if (fileProblem === null) entry.path = path;
  else entry.problems.push(fileProblem);
  return entry;
}

/** Why a file cannot be run as an executor, or null when it can. */
export function checkExecutable(path: string): string | null {
  const name = path.slice(path.lastIndexOf('/') + 1);
  let stat;
  try {
    stat = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && isSymlink(path)) return `${name} is a broken symlink (to ${readlinkSync(path)})`;
    if (code === 'ENOENT') return `${name} does not exist`;
    return `${name} cannot be read (${code ?? String(error)})`;
  }
  if (stat.isDirectory()) return `${name} is a directory, not an executable file`;
  if (!stat.isFile()) return `${name} is not a regular file`;
  try {
    accessSync(path, constants.X_OK);
  } catch {
    const mode = (stat.mode & 0o777).toString(8);
    return `${name} is not executable (mode ${mode}); run: chmod +x ${path}`;
  }
  return null;
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
