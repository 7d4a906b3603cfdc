import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/agent-coordinator', import.meta.url));

export interface SpawnedCoordinator {
  child: ChildProcess;
  url: string;
  /** Everything it wrote to stderr so far. */
  stderr: () => string;
  /** Send a signal and wait for the process to exit. */
  stop: (signal?: NodeJS.Signals) => Promise<void>;
}

/**
 * Start `bin/agent-coordinator` (the built dist/; `npm test` builds first) as a child process and
 * resolve once it logs the URL it listens on (in either log format).
 */
/** Extra Node flags for the processes benches start (BENCH_NODE_ARGS, words split on spaces; unset or empty: none). */
export const BENCH_NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');

export function spawnCoordinator(args: string[], env: NodeJS.ProcessEnv = {}): Promise<SpawnedCoordinator> {
  const child = spawn(process.execPath, [...BENCH_NODE_ARGS, BIN, '--port', '0', '--log-level', 'info', ...args], {
    env: { ...process.env, ...env, VITEST: undefined },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return new Promise((resolve, reject) => {
    child.stderr!.setEncoding('utf8');
    let listening = false;
    child.stderr!.on('data', (chunk: string) => {
      stderr += chunk;
      if (listening) return; // the URL is read once: the search is not run again over a growing log
      // A JSON line's "url" field, or a pretty line's url=… (--log-format pretty).
      const match = /"url":"(http:\/\/[^"]+)"|\burl=(http:\/\/\S+)/.exec(stderr);
      if (match === null) return;
      listening = true;
      resolve({ child, url: (match[1] ?? match[2])!, stderr: () => stderr, stop });
    });
    child.once('exit', (code) => reject(new Error(`agent-coordinator exited with ${code} before listening: ${stderr}`)));
    child.once('error', reject);
  });
}
