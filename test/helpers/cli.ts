import { execa, type ResultPromise } from 'execa';
import { afterEach } from 'vitest';
import { BIN } from './fixtures.js';

const running = new Set<ResultPromise>();
afterEach(() => {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
});

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string>;
  input?: string;
}

/** Start `bin/agent-runner` as a real process (killed after the test if still running). */
export function startCli(args: string[], options: CliOptions = {}) {
  const child = execa(BIN, args, {
    cwd: options.cwd,
    env: { NO_COLOR: '1', ...options.env },
    reject: false,
    stripFinalNewline: false,
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
  });
  running.add(child);
  void child.finally(() => running.delete(child));
  return child;
}

/** Run `bin/agent-runner` to the end: exit code, stdout, stderr. */
export async function runCli(args: string[], options: CliOptions = {}) {
  const result = await startCli(args, options);
  return { code: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
}
