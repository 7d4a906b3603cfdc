import { execa } from 'execa';
import { parseEventLine, type OutputStream } from '../events/parse-event-line.js';
import type { ExecutorEvent, ResultEvent } from '../../protocol/executor-event.js';
import type { Invocation } from '../../protocol/invocation.js';
import { buildExecutorEnv } from './executor-env.js';
import { LineSplitter, MAX_LINE_BYTES, type Line } from './line-splitter.js';
import { groupHasRunningProcess, groupIsAlive, signalGroup, trackGroup, untrackGroup } from './process-group.js';
import { classifyExit, type RunOutcome } from './run-outcome.js';
import { StderrTail } from './stderr-tail.js';

/** How long an executor may take to exit after SIGTERM before its group gets SIGKILL. */
export const DEFAULT_GRACE_MS = 10_000;

export interface SpawnExecutorOptions {
  /** Path of the executable file (run directly: its shebang picks the interpreter). */
  executable: string;
  invocation: Invocation;
  /** Working directory; defaults to the invocation's `project_dir`, else this process's cwd. */
  cwd?: string;
  /** Base environment; defaults to `process.env`. Runner secrets are removed either way. */
  env?: NodeJS.ProcessEnv;
  runId?: string;
  mcpUrl?: string;
  /** Terminate after this many ms (outcome `timed_out`). */
  timeoutMs?: number;
  /** SIGTERM → SIGKILL delay (default DEFAULT_GRACE_MS). */
  graceMs?: number;
  /** Abort to cancel (outcome `cancelled`). */
  signal?: AbortSignal;
  /** Called for each event, in output order per stream, as soon as its line is complete. */
  onEvent?: (event: ExecutorEvent, stream: OutputStream) => void;
  maxLineBytes?: number;
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
 * the grace period, so nothing the executor started survives.
 */
export function spawnExecutor(options: SpawnExecutorOptions): ExecutorProcess {
  const started = performance.now();
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  const { invocation } = options;
  const stderrTail = new StderrTail();
  let result: ResultEvent | null = null;
  let executorSessionId: string | null = null;
  let terminatedFor: 'timeout' | 'cancel' | null = null;
  let forcefullyKilled = false;
  let exited = false;
  let killTimer: NodeJS.Timeout | undefined;
  let leftBehind = false;
  let exitDuration = 0;

  const onLine = (stream: OutputStream) => (line: Line) => {
    if (stream === 'stderr') stderrTail.add(line.text);
    const event = parseEventLine(line, stream);
    if (event === undefined) return;
    if (event.type === 'result') result = event;
    else if (event.type === 'bind') executorSessionId = event.executor_session_id;
    options.onEvent?.(event, stream);
  };

  if (options.signal?.aborted) {
    const outcome = finish({ exitCode: null, signal: null, terminatedFor: 'cancel', stderrTail: '' }, false);
    return { pid: undefined, outcome: Promise.resolve(outcome) };
  }

  const child = execa(options.executable, [], {
    cwd: options.cwd ?? invocation.project_dir ?? process.cwd(),
    env: buildExecutorEnv(options.env ?? process.env, {
      sessionId: invocation.session_id,
      runId: options.runId ?? invocation.metadata?.run_id,
      mcpUrl: options.mcpUrl,
    }),
    extendEnv: false,
    detached: true,
    cleanup: false,
    buffer: false,
    reject: false,
    forceKillAfterDelay: false,
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const pid = child.pid;
  if (pid !== undefined) trackGroup(pid);

  // An executor may exit without reading its input; the resulting EPIPE is not our failure.
  child.stdin?.on('error', () => {});
  const input = options.stdinText ?? `${JSON.stringify(invocation)}\n`;
  if (options.keepStdinOpen) child.stdin?.write(input);
  else child.stdin?.end(input);

  const maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES;
  const stdoutLines = new LineSplitter(onLine('stdout'), maxLineBytes);
  const stderrLines = new LineSplitter(onLine('stderr'), maxLineBytes);
  child.stdout?.on('data', (chunk: Buffer) => stdoutLines.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => stderrLines.push(chunk));

  const terminate = (reason: 'timeout' | 'cancel') => {
    if (exited || terminatedFor !== null || pid === undefined) return;
    terminatedFor = reason;
    signalGroup(pid, 'SIGTERM');
    armKill();
  };
  const armKill = () => {
    if (killTimer !== undefined || pid === undefined) return;
    killTimer = setTimeout(() => {
      if (signalGroup(pid, 'SIGKILL')) forcefullyKilled = true;
      // Done with the group: forget it, so a later process reusing the number is never signalled.
      untrackGroup(pid);
    }, graceMs);
  };

  const timeoutTimer =
    options.timeoutMs === undefined ? undefined : setTimeout(() => terminate('timeout'), options.timeoutMs);
  const onAbort = () => terminate('cancel');
  options.signal?.addEventListener('abort', onAbort, { once: true });

  child.once('exit', () => {
    exited = true;
    exitDuration = performance.now() - started;
    clearTimeout(timeoutTimer);
    options.signal?.removeEventListener('abort', onAbort);
    // After our own SIGTERM the group is already on its way out (the kill timer is armed). Otherwise,
    // whatever the executor left running is an orphan now: ask it to go, and force it after the grace.
    if (pid === undefined || terminatedFor !== null) return;
    leftBehind = groupHasRunningProcess(pid);
    if (leftBehind) {
      signalGroup(pid, 'SIGTERM');
      armKill();
    }
  });

  const outcome = child.then((settled) => {
    stdoutLines.end();
    stderrLines.end();
    const spawnError = exited ? undefined : describeSpawnError(settled);
    clearTimeout(timeoutTimer);
    options.signal?.removeEventListener('abort', onAbort);
    if (pid !== undefined) settleGroup(pid);
    return finish(
      {
        exitCode: typeof settled.exitCode === 'number' ? settled.exitCode : null,
        signal: settled.signal ?? null,
        terminatedFor,
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        ...(spawnError === undefined ? {} : { spawnError }),
        stderrTail: stderrTail.toString(),
      },
      leftBehind,
    );
  });

  // The output is closed: if the group is empty we are done with it; if not, the pending SIGKILL still
  // fires after the grace, but must not keep this process alive (the exit hook kills the group then).
  function settleGroup(group: number) {
    if (groupIsAlive(group)) {
      killTimer?.unref();
      return;
    }
    clearTimeout(killTimer);
    untrackGroup(group);
  }

  function finish(facts: Parameters<typeof classifyExit>[0], leftProcesses: boolean): RunOutcome {
    const { kind, message } = classifyExit(facts);
    return {
      kind,
      exit_code: facts.exitCode,
      signal: facts.signal,
      duration_ms: Math.round(exitDuration || performance.now() - started),
      stderr_tail: facts.stderrTail,
      result,
      executor_session_id: executorSessionId,
      forcefully_killed: forcefullyKilled,
      left_processes_behind: leftProcesses,
      message,
    };
  }

  return { pid, outcome };
}

function describeSpawnError(settled: { cause?: unknown; message?: string; failed?: boolean }): string | undefined {
  if (!settled.failed) return undefined;
  const cause = settled.cause as NodeJS.ErrnoException | undefined;
  if (cause?.code === 'EACCES') return `${cause.path ?? 'file'} is not executable (EACCES)`;
  if (cause?.code === 'ENOENT') return `${cause.path ?? 'file'} or its interpreter was not found (ENOENT)`;
  if (cause?.code === 'ENOEXEC') return `${cause.path ?? 'file'} is not a valid executable; check its shebang (ENOEXEC)`;
  return cause?.message ?? settled.message ?? 'unknown error';
}
