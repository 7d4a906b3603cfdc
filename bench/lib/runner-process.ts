/** A runner daemon as the benches start it: a child process on the bench executors, and its CPU time. */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT } from '../../test/helpers/fixtures.js';

/**
 * Start `agent-runner -c url ARGS` (the executors of bench/executors; no local coordinator to find) in
 * `cwd`, and resolve once it registered. Its stderr keeps being drained (a full pipe would block it).
 */
export async function startBenchRunner(url: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, '-c', url, ...args], {
    cwd: options.cwd,
    env: { ...process.env, AGENT_RUNNER_EXECUTORS_PATH: join(ROOT, 'bench', 'executors'), AGENT_RUNNER_LOCAL_PORT: '1', AGENT_RUNNER_LOG_FORMAT: 'json', ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const onData = (chunk: string) => {
    stderr = (stderr + chunk).slice(-20_000);
  };
  child.stderr!.setEncoding('utf8').on('data', onData);
  try {
    await new Promise<void>((resolve, reject) => {
      const check = () => (stderr.includes('"msg":"registered with the coordinator"') ? resolve() : undefined);
      child.stderr!.on('data', check);
      child.once('exit', (code) => reject(new Error(`agent-runner exited with ${code}: ${stderr.slice(-2_000)}`)));
    });
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  child.stderr!.removeAllListeners('data');
  child.stderr!.resume();
  return child;
}

/** SIGTERM a child and wait for it to exit (at once when it already has). */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** CPU time (user + system) a process used so far, in ms (Linux clock ticks of 10 ms); 0 once it is gone. */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}
