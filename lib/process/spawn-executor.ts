import { randomUUID } from 'node:crypto';
import type { OutputStream } from '../events/parse-event-line.js';
import type { ExecutorEvent } from '../../protocol/executor-event.js';
import type { Invocation } from '../../protocol/invocation.js';
import { buildExecutorEnv } from './executor-env.js';
import { ExecutorOutput } from './executor-output.js';
import { launchDetached, type LaunchedChild } from './native-spawn.js';
import { type GroupLedger, openProcessGroup } from './process-group.js';
import { classifyExit, type ExitFacts, type RunOutcome } from './run-outcome.js';
import { DEFAULT_GRACE_MS } from './terminate/graceful-kill.js';
import { Termination } from './terminate/termination.js';

export interface SpawnExecutorOptions {
  /** Path of the executable file (run directly: its shebang picks the interpreter). */
  executable: string;
  invocation: Invocation;
  /** Working directory; defaults to the invocation's `project_dir`, else this process's cwd. */
  cwd?: string;
  /** Base environment; defaults to `process.env`. Only its base names and `envAllow` pass (executor-env.ts), never runner secrets. */
  env?: NodeJS.ProcessEnv;
  /** Names or prefixes (`ANTHROPIC_*`) passed on top of the base set: the executor's declared `env` and the operator's. */
  envAllow?: readonly string[];
  runId?: string;
  mcpUrl?: string;
  /** The run's W3C traceparent, given to the executor as `TRACEPARENT` (default: the invocation's `metadata.traceparent`). */
  traceparent?: string | null;
  /** The run's credential profile's variables (its secrets), set over the base environment (executor-env.ts). */
  credentialEnv?: Readonly<Record<string, string>> | undefined;
  /** Terminate after this many ms (outcome `timed_out`). */
  timeoutMs?: number;
  /** SIGTERM → SIGKILL delay (default DEFAULT_GRACE_MS). */
  graceMs?: number;
  /** Nice levels below the caller the executor runs at (launchDetached; default 0: the same). */
  niceIncrement?: number;
  /** Abort to cancel (outcome `cancelled`). */
  signal?: AbortSignal;
  /** Called for each event, in output order per stream, as soon as its line is complete. */
  onEvent?: (event: ExecutorEvent, stream: OutputStream) => void;
  maxLineBytes?: number;
  /** Notes the executor's group on disk while it lives, so it is ended if this process dies (the runner's). */
  ledger?: GroupLedger;
  /** Conformance probes only: write this instead of the invocation (to test malformed input). */
  stdinText?: string;
  /** Conformance probes only: leave stdin open after writing (the executor is then still reading). */
  keepStdinOpen?: boolean;
}

export interface ExecutorProcess {
  /** The executor's pid, which is also its process group id; undefined if it could not be started. */
  readonly pid: number | undefined;
  /** Settles once the executor exited and all its output was read. Never rejects. */
  readonly outcome: Promise<RunOutcome>;
}

/**
 * Start an executor in its own process group, hand it the invocation on stdin, turn its output into
 * events, and report how it ended. Timeout and cancel signal the whole group: SIGTERM, then SIGKILL after
 * the grace period, so nothing the executor started survives (lib/process/terminate/).
 */
export function spawnExecutor(options: SpawnExecutorOptions): ExecutorProcess {
  const started = performance.now();
  const { invocation } = options;
  const output = new ExecutorOutput(options.onEvent, options.maxLineBytes);

  if (options.signal?.aborted) {
    const facts: ExitFacts = { exitCode: null, signal: null, terminatedFor: 'cancel', stderrTail: '' };
    const outcome = toOutcome(facts, output, { durationMs: performance.now() - started, forcefullyKilled: false, leftProcessesBehind: false });
    return { pid: undefined, outcome: Promise.resolve(outcome) };
  }

  const executionMark = randomUUID();
  // Not execa: its option normalising, stream promises and result object were a fifth of the runner's CPU
  // per run on the peers bench, for nothing this function uses (it reads the streams itself and decides
  // the outcome itself). launchDetached makes the child a session and group leader (setsid), which the
  // group kill relies on, with posix_spawn where it can (native-spawn.ts).
  const launchOptions = {
    cwd: options.cwd ?? invocation.project_dir ?? process.cwd(),
    niceIncrement: options.niceIncrement ?? 0,
    env: buildExecutorEnv(options.env ?? process.env, {
      sessionId: invocation.session_id,
      runId: options.runId ?? invocation.metadata?.run_id,
      mcpUrl: options.mcpUrl,
      allow: options.envAllow,
      executionMark,
      traceparent: options.traceparent ?? (typeof invocation.metadata?.traceparent === 'string' ? invocation.metadata.traceparent : null),
      credentialEnv: options.credentialEnv,
    }),
  };
  let child: LaunchedChild;
  try {
    child = launchDetached(options.executable, launchOptions);
  } catch (error) {
    // posix_spawn throws every error; node:child_process throws ENOEXEC and emits the others ('error' below).
    const facts: ExitFacts = { exitCode: null, signal: null, terminatedFor: null, spawnError: describeSpawnError(error as NodeJS.ErrnoException, options.executable), stderrTail: '' };
    const outcome = toOutcome(facts, output, { durationMs: performance.now() - started, forcefullyKilled: false, leftProcessesBehind: false });
    return { pid: undefined, outcome: Promise.resolve(outcome) };
  }
  const pid = child.pid;
  const termination = new Termination({
    group: pid === undefined ? undefined : openProcessGroup(pid, executionMark, options.ledger, started),
    graceMs: options.graceMs ?? DEFAULT_GRACE_MS,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
  });

  // An executor may exit without reading its input; the resulting EPIPE is not our failure.
  child.stdin.on('error', () => {});
  const input = options.stdinText ?? `${JSON.stringify(invocation)}\n`;
  if (options.keepStdinOpen) child.stdin.write(input);
  else child.stdin.end(input);

  child.stdout.on('data', (chunk: Buffer) => output.push('stdout', chunk));
  child.stderr.on('data', (chunk: Buffer) => output.push('stderr', chunk));

  /** When the executor process exited; undefined while it runs, and for good if it never started. */
  let exitedAfterMs: number | undefined;
  child.once('exit', () => {
    exitedAfterMs = performance.now() - started;
    termination.executorExited();
  });

  /** Why it could not be started (ENOENT, EACCES, ...): 'error' comes instead of 'exit', before 'close'. */
  let spawnError: string | undefined;
  child.once('error', (error: NodeJS.ErrnoException) => {
    if (exitedAfterMs === undefined) spawnError = describeSpawnError(error, options.executable);
  });

  // 'close': the process exited and its stdout and stderr reached their end (whatever it left running
  // holding them is swept by the termination, so they do end).
  const outcome = new Promise<RunOutcome>((resolve) => {
    child.once('close', (exitCode: number | null, signal: NodeJS.Signals | null) => {
      output.end();
      termination.outputClosed();
      const facts: ExitFacts = {
        exitCode: spawnError === undefined ? exitCode : null,
        signal: spawnError === undefined ? signal : null,
        terminatedFor: termination.reason,
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        ...(spawnError === undefined ? {} : { spawnError }),
        stderrTail: output.stderrTail,
      };
      resolve(
        toOutcome(facts, output, {
          durationMs: exitedAfterMs ?? performance.now() - started,
          forcefullyKilled: termination.forcefullyKilled,
          leftProcessesBehind: termination.leftProcessesBehind,
        }),
      );
    });
  });

  return { pid, outcome };
}

function toOutcome(
  facts: ExitFacts,
  output: ExecutorOutput,
  ending: { durationMs: number; forcefullyKilled: boolean; leftProcessesBehind: boolean },
): RunOutcome {
  const { kind, message } = classifyExit(facts);
  return {
    kind,
    exit_code: facts.exitCode,
    signal: facts.signal,
    duration_ms: Math.round(ending.durationMs),
    stderr_tail: facts.stderrTail,
    result: output.result,
    executor_session_id: output.executorSessionId,
    forcefully_killed: ending.forcefullyKilled,
    left_processes_behind: ending.leftProcessesBehind,
    message,
  };
}

function describeSpawnError(cause: NodeJS.ErrnoException, executable: string): string {
  const path = cause.path ?? executable;
  if (cause.code === 'EACCES') return `${path} is not executable (EACCES)`;
  if (cause.code === 'ENOENT') return `${path} or its interpreter was not found (ENOENT)`;
  if (cause.code === 'ENOEXEC') return `${path} is not a valid executable; check its shebang (ENOEXEC)`;
  return cause.message;
}
