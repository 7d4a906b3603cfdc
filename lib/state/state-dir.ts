import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';

/**
 * Where agent-runner keeps its state (the embedded coordinator's database, the MCP key, the event spool,
 * `invoke`'s session file): a per-user folder outside every project folder, so an agent working in a
 * project can neither read the key nor rewrite the database.
 */
export const STATE_DIR_ENV = 'AGENT_RUNNER_STATE_DIR';
/** The folder under `$XDG_STATE_HOME` (default `~/.local/state`) when AGENT_RUNNER_STATE_DIR is unset. */
export const STATE_DIR_NAME = 'agent-runner';
/** Permissions of every state folder: the owner only. */
export const PRIVATE_DIR_MODE = 0o700;
/** Permissions of every state file (the SQLite database and its -wal/-shm too): the owner only. */
export const PRIVATE_FILE_MODE = 0o600;
/** The embedded coordinator's SQLite file in a project's state folder. */
export const DATABASE_FILE = 'coordinator.db';
/** Hex digits of the cwd's hash in a project folder's name: enough to keep projects of one name apart. */
const PROJECT_HASH_CHARS = 12;

/** The user's state root: AGENT_RUNNER_STATE_DIR, else `$XDG_STATE_HOME/agent-runner`, else `~/.local/state/agent-runner`. */
export function stateRoot(env: NodeJS.ProcessEnv = process.env): string {
  const given = env[STATE_DIR_ENV];
  if (given !== undefined && given !== '') return resolve(given);
  // The XDG spec says a relative XDG_STATE_HOME is invalid and must be ignored.
  const xdg = env.XDG_STATE_HOME;
  const base = xdg !== undefined && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.local', 'state');
  return join(base, STATE_DIR_NAME);
}

/**
 * The state folder of the project run from `cwd`: `<root>/projects/<basename>-<hash of the absolute cwd>`,
 * so `run` and a later `sessions list` in the same folder share one database, and folders never mix.
 */
export function projectStateDir(cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  const absolute = realPath(resolve(cwd));
  // node:crypto is loaded on first use: every command's help names the state folder, few hash a project.
  const hash = process.getBuiltinModule('node:crypto').createHash('sha256').update(absolute).digest('hex').slice(0, PROJECT_HASH_CHARS);
  const name = (basename(absolute) || 'root').replace(/[^A-Za-z0-9._-]/g, '_');
  return join(stateRoot(env), 'projects', `${name}-${hash}`);
}

/** The path with symlinks resolved (as `process.cwd()` gives it), or as given when it does not exist. */
function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * Create `dir` (a folder under the state root) owner-only. The folders under the root are agent-runner's
 * and are tightened if they exist looser; the root and its parents only when this call created them (a root
 * the user chose, say an existing shared folder, keeps its mode).
 */
export function ensurePrivateDir(dir: string, root: string): void {
  const created = mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  for (let d = dir; d.startsWith(`${root}/`); d = dirname(d)) chmodSync(d, PRIVATE_DIR_MODE);
  if (created === undefined || !(created === root || root.startsWith(`${created}/`))) return;
  for (let d = root; ; d = dirname(d)) {
    chmodSync(d, PRIVATE_DIR_MODE);
    if (d === created) break;
  }
}

/**
 * Make a SQLite database owner-only before it is opened: create it 0600 when missing (SQLite gives its
 * -wal and -shm files the database's permissions) and tighten the three files when they exist.
 */
export function preparePrivateDatabase(path: string): void {
  if (!existsSync(path)) closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(file)) chmodSync(file, PRIVATE_FILE_MODE);
}

/** The `--help` paragraph that says where state lives, resolved for this user and folder. */
export function describeStateDir(cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): string {
  return [
    `State: ${stateRoot(env)}`,
    `  (${STATE_DIR_ENV}, else $XDG_STATE_HOME/${STATE_DIR_NAME}, else ~/.local/state/${STATE_DIR_NAME}; owner-only)`,
    `  this folder's: ${projectStateDir(cwd, env)}`,
    `  (the embedded coordinator's ${DATABASE_FILE}, the MCP key mcp-secret, the event spool, invoke-sessions.json)`,
  ].join('\n');
}

/** The names of the files in a state folder; none when it does not exist (yet). */
export function stateFileNames(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
