// The processes the peers bench starts (coordinators, runners, workers, redis-server): started until they
// say they are ready, their output drained into a tail kept for errors, ended with SIGTERM by `stop`, and
// killed when this process exits whatever the reason.
import { type ChildProcess, spawn } from 'node:child_process';
import { BENCH_NODE_ARGS } from '../../test/coordinator/spawn-coordinator.js';

/** Characters of a child's output kept for an error message. */
const TAIL_CHARS = 20_000;
/** How long `stop` waits after SIGTERM before it sends SIGKILL (a child that hangs must not hang the bench). */
const STOP_GRACE_MS = 15_000;

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface StartedChild {
  readonly pid: number;
  /** Its last output (stdout and stderr together). */
  tail(): string;
  /** Rejects when it exits before `stop` was called (race a wait with it, so a crash fails the wait). */
  readonly crashed: Promise<never>;
  /** SIGTERM (SIGKILL after STOP_GRACE_MS), and wait until it exited. */
  stop(): Promise<void>;
}

export interface StartOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** What the child is called in errors. */
  name: string;
  /** Open an IPC channel (a Node child that says it is ready with `process.send`). */
  ipc?: boolean;
  /** Ready once this says so, given the output so far, or a message it sent over IPC. */
  ready: (output: string, message?: unknown) => boolean;
}

/** Start `command` and resolve once `ready` says it is; rejects if it exits first. */
export function startChild(command: string, args: string[], options: StartOptions): Promise<StartedChild> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe', ...(options.ipc === true ? ['ipc' as const] : [])] });
  live.add(child);
  let output = '';
  let stopping = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => (live.delete(child), resolve())));
  const crashed = new Promise<never>((_, reject) => {
    child.once('exit', (code, signal) => {
      if (!stopping) reject(new Error(`${options.name} exited (code ${code}, signal ${signal}); its last output:\n${output}`));
    });
  });
  crashed.catch(() => {}); // observed by whoever races it; unobserved it must not end the bench by itself
  const started: StartedChild = {
    pid: child.pid!,
    tail: () => output,
    crashed,
    async stop() {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(kill);
    },
  };
  return new Promise((resolve, reject) => {
    let ready = false;
    const check = (message?: unknown) => {
      if (!ready && options.ready(output, message)) (ready = true, resolve(started));
    };
    const onData = (chunk: string) => {
      output = (output + chunk).slice(-TAIL_CHARS);
      check();
    };
    child.stdout!.setEncoding('utf8').on('data', onData);
    child.stderr!.setEncoding('utf8').on('data', onData);
    child.on('message', (message) => check(message));
    child.once('error', reject);
    crashed.catch(reject);
  });
}

/** Node flags for every Node process of the systems (e.g. `--cpu-prof --cpu-prof-dir=DIR`), as the other benches take them. */
export const NODE_ARGS = BENCH_NODE_ARGS;

/** `node` arguments that run a TypeScript file of this folder (through tsx, as `npm run bench` runs the benches). */
export const tsNodeArgs = (file: string): string[] => [...NODE_ARGS, '--import', import.meta.resolve('tsx'), file];
