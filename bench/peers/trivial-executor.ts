// The per-run work every system of the peers bench does: spawn bench/executors/trivial-sh with a Schema 2.0
// invocation on stdin and read its stdout to the end. The bare-spawn floors and the graphile-worker and
// BullMQ workers all call runTrivialExecutor; agent-runner's runner spawns the same file itself.
import { spawn } from 'node:child_process';
import { launchDetached, type LaunchedChild } from '../../lib/process/native-spawn.js';
import { DEFAULT_EXECUTOR_NICE } from '../../lib/runner/runner-config.js';
import { fileURLToPath } from 'node:url';

export const TRIVIAL_EXECUTOR = fileURLToPath(new URL('../executors/trivial-sh/ao-trivial-sh-exec', import.meta.url));

/** Runs at once in every system. */
export const SLOTS = 16;

/**
 * The executor's environment: what agent-runner's runner passes (lib/process/executor-env.ts BASE_ENV, the
 * names this machine has) plus the run's ids, so no system pays for a bigger environment than another.
 */
function executorEnv(id: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { AGENT_SESSION_ID: `ses_${id}`, AGENT_RUN_ID: `run_${id}` };
  for (const name of ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'TERM', 'TMPDIR', 'TZ']) {
    if (process.env[name] !== undefined) env[name] = process.env[name];
  }
  return env;
}

/** The invocation a runner would write for a start run of session `ses_<id>` (without a blueprint: the executor reads and drops it). */
export function trivialInvocation(id: string, projectDir: string): string {
  return `${JSON.stringify({
    schema_version: '2.0',
    mode: 'start',
    session_id: `ses_${id}`,
    prompt: 'hello',
    project_dir: projectDir,
    metadata: { run_id: `run_${id}`, attempt: 1 },
  })}\n`;
}

/**
 * How a system starts the executor: `node` is node:child_process, what a graphile-worker or BullMQ task
 * would call; `runner` is agent-runner's own launcher (lib/process/native-spawn.ts: posix_spawn on Linux).
 */
export type Launcher = 'node' | 'runner';

/** Spawn the trivial executor for run `id` in `projectDir`, write its invocation, and resolve with its stdout once it exited 0. */
export function runTrivialExecutor(id: string, projectDir: string, launcher: Launcher = 'node'): Promise<string> {
  return new Promise((resolve, reject) => {
    const options = { cwd: projectDir, env: executorEnv(id) };
    // The floor starts them exactly as the runner does, at its default priority below the starter's.
    const child: LaunchedChild = launcher === 'runner' ? launchDetached(TRIVIAL_EXECUTOR, { ...options, niceIncrement: DEFAULT_EXECUTOR_NICE }) : spawn(TRIVIAL_EXECUTOR, [], { ...options, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.resume();
    child.stdin.on('error', () => {});
    child.once('error', reject);
    child.once('close', (code, signal) => (code === 0 ? resolve(stdout) : reject(new Error(`trivial-sh exited with ${code ?? signal}`))));
    child.stdin.end(trivialInvocation(id, projectDir));
  });
}
