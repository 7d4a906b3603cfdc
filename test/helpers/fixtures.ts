import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../lib/package-root.js';
import type { Invocation } from '../../protocol/invocation.js';

export const ROOT = packageRoot();
export const FIXTURE_EXECUTORS = join(ROOT, 'test', 'fixtures', 'executors');
export const BIN = join(ROOT, 'bin', 'agent-runner');

/** Path of a fixture executor: test/fixtures/executors/<name>/ao-<name>-exec. */
/**
 * Run `lines` as an ES module (TypeScript imports through tsx, relative to the repository root) in a Node
 * process of its own, for what is chosen once per process (the executor launcher); returns its stdout.
 */
export function runModuleSnippet(lines: readonly string[], env: NodeJS.ProcessEnv): string {
  return execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', lines.join('\n')], { cwd: ROOT, env, encoding: 'utf8' });
}

export function fixture(name: string): string {
  return join(FIXTURE_EXECUTORS, name, `ao-${name}-exec`);
}

/** Path of a shipped executor. */
export function shipped(folder: string, file: string): string {
  return join(ROOT, 'executors', folder, file);
}

export function invocation(overrides: Partial<Invocation> = {}): Invocation {
  return { schema_version: '2.0', mode: 'start', session_id: 'ses_test01', prompt: 'hello', ...overrides };
}

/** A temporary folder, removed by the returned cleanup. */
export function tempDir(prefix = 'agent-runner-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** This process's open fds (Linux) and what each is open on. */
export function openFds(): Map<string, string> {
  const fds = new Map<string, string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      fds.set(fd, readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      // closed while listed (the directory's own fd among them)
    }
  }
  return fds;
}

/** Whether a process runs (a zombie counts as gone). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * How long a test waits for an event (a state reached, a log line, a process gone) before it fails. Far
 * more than any wait takes on a quiet machine, so a busy one cannot flip the outcome; a wait that is met
 * returns at once, so the size costs nothing.
 */
export const WAIT_MS = 30_000;

/**
 * Wait until a condition holds, checking on each tick of the event loop (with a tiny pause so we do not
 * spin); fails after `timeoutMs` with the description. For state the OS changes (a process dying).
 */
export async function waitUntil(condition: () => boolean, description: string, timeoutMs = WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A port free right now on 127.0.0.1 (the kernel's pick for port 0), for a process that must listen on a known address. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
