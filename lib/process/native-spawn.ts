import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { Socket } from 'node:net';
import { constants, getPriority, setPriority } from 'node:os';
import { isAbsolute } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { type Addon, loadAddon } from './native-addon.js';

/**
 * Starting executors without fork. node:child_process (libuv) forks the runner, a Node process of 80 MB
 * and more, and the child then execs: the fork copies the runner's page tables and leaves every page of
 * it copy-on-write, so the runner's next write to each page faults. On this project's 2-core benchmark
 * machine that is 4–5 ms of the runner's CPU per run (and 130–250 page faults), more than everything else
 * the runner does for a trivial run. posix_spawn (glibc: clone with CLONE_VM | CLONE_VFORK) starts the
 * child in the runner's memory without copying anything: 0.2–0.3 ms, no faults.
 *
 * native/spawn.c (built by scripts/build-native.mjs at install, Linux only) does the system calls; the
 * child is the same as libuv's: its own session and process group (`detached`), every signal at its
 * default and none blocked, stdio on socket pairs, close-on-exec for everything else. Its exit is watched
 * through a pidfd (Linux 5.3) on the event loop, which keeps the loop alive until the child is reaped.
 *
 * Where the addon is missing (another OS, no compiler at install, an older kernel), or when
 * AGENT_RUNNER_NATIVE_SPAWN=0, executors are started with node:child_process as before.
 */

/** What spawnExecutor uses of a started child: the part node:child_process and the addon both give. */
export interface LaunchedChild {
  readonly pid?: number | undefined;
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  once(event: 'exit' | 'close', listener: (code: number | null, signal: NodeJS.Signals | null) => void): this;
  once(event: 'error', listener: (error: NodeJS.ErrnoException) => void): this;
}

export interface LaunchOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Run the child this many nice levels below this process (0 to 39, the addon refuses others; nice 19 at most; default 0). */
  niceIncrement?: number;
}

/** How this process starts executors: `posix_spawn` (native/spawn.c) or `node:child_process`. */
export function executorLauncher(): 'posix_spawn' | 'node:child_process' {
  return loadAddon() === null ? 'node:child_process' : 'posix_spawn';
}

const signalNames = new Map<number, NodeJS.Signals>(Object.entries(constants.signals).map(([name, number]) => [number, name as NodeJS.Signals]));
const errnoNames = new Map<number, string>(Object.entries(constants.errno).map(([name, number]) => [number, name]));

/** The addon's error for a failed system call, named as Node names its own: `code` ENOENT, message `spawn <path> ENOENT`. */
function nameSystemError(error: unknown): unknown {
  const failed = error as NodeJS.ErrnoException;
  if (typeof failed.errno !== 'number') return error;
  failed.code = errnoNames.get(-failed.errno) ?? `E${-failed.errno}`;
  failed.message = `${failed.syscall} ${failed.path} ${failed.code}: ${failed.message}`;
  return failed;
}

/**
 * Start `file` (no arguments) in a session of its own with its stdio piped: posix_spawn where available,
 * else node:child_process with `detached`. Errors starting it are thrown (ENOENT, EACCES, ENOEXEC, with
 * `code` and `path` as Node gives them) by the native launcher, and emitted as 'error' by Node's.
 */
export function launchDetached(file: string, options: LaunchOptions): LaunchedChild {
  const native = loadAddon();
  // posix_spawn does no PATH search (Node's spawn searches the child's PATH): a bare name goes to Node.
  const niceIncrement = options.niceIncrement ?? 0;
  if (native === null || !isAbsolute(file)) {
    const child = spawn(file, [], { cwd: options.cwd, env: options.env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] }) satisfies ChildProcessWithoutNullStreams;
    if (niceIncrement > 0 && child.pid !== undefined) lowerPriority(child.pid, niceIncrement);
    return child;
  }
  const envp: string[] = [];
  for (const [name, value] of Object.entries(options.env)) if (value !== undefined) envp.push(`${name}=${value}`);
  return new NativeChild(native, file, envp, options.cwd, niceIncrement);
}

/** node:child_process's child (the addon does it in C for the whole group): best effort, it may be gone. */
function lowerPriority(pid: number, increment: number): void {
  try {
    setPriority(pid, Math.min(19, getPriority() + increment));
  } catch {
    // exited already, or not ours to change: it runs at the runner's priority
  }
}

/**
 * A child started by the addon, with the events of a ChildProcess that spawnExecutor listens to: 'exit'
 * when it was reaped (its stdin is then destroyed, as Node does), 'close' once it exited and its stdout
 * and stderr both reached their end.
 */
class NativeChild extends EventEmitter implements LaunchedChild {
  readonly pid: number;
  readonly stdin: Socket;
  readonly stdout: Socket;
  readonly stderr: Socket;
  #streamsOpen = 2;
  #exit: [number | null, NodeJS.Signals | null] | undefined;

  constructor(native: Addon, file: string, envp: string[], cwd: string, niceIncrement: number) {
    super();
    let fds: [number, number, number, number];
    try {
      fds = native.spawn(file, [file], envp, cwd, (code, signal) => this.#exited(code, signal), niceIncrement);
    } catch (error) {
      throw nameSystemError(error);
    }
    const [pid, stdin, stdout, stderr] = fds;
    this.pid = pid;
    this.stdin = new Socket({ fd: stdin, readable: false, writable: true });
    this.stdout = new Socket({ fd: stdout, readable: true, writable: false });
    this.stderr = new Socket({ fd: stderr, readable: true, writable: false });
    for (const stream of [this.stdout, this.stderr]) {
      // A read error destroys the stream, which then closes like at its end: not thrown (Node's child streams would throw it).
      stream.on('error', () => {});
      stream.once('close', () => {
        this.#streamsOpen -= 1;
        this.#maybeClose();
      });
    }
  }

  #exited(code: number | null, signal: number | null): void {
    this.#exit = [code, signal === null ? null : (signalNames.get(signal) ?? null)];
    this.stdin.destroy();
    this.emit('exit', ...this.#exit);
    this.#maybeClose();
  }

  #maybeClose(): void {
    if (this.#streamsOpen === 0 && this.#exit !== undefined) this.emit('close', ...this.#exit);
  }
}
