import type { ExecutorEvent } from '../../protocol/executor-event.js';
import type { Invocation } from '../../protocol/invocation.js';
import type { RunOutcome } from '../process/run-outcome.js';
import { spawnExecutor } from '../process/spawn-executor.js';

export interface ProbeOptions {
  executable: string;
  invocation: Invocation;
  cwd: string;
  graceMs: number;
  /** Give up on a run after this long (outcome timed_out). */
  timeoutMs: number;
  /** Names or prefixes passed on top of the base environment (spawnExecutor's `envAllow`). */
  envAllow: readonly string[];
  /** Send this instead of the invocation. */
  stdinText?: string;
  /** Leave stdin open and cancel (SIGTERM to the group) after this many ms. */
  sigtermAfterMs?: number;
}

export interface Probe {
  outcome: RunOutcome;
  events: ExecutorEvent[];
  /** Stdout lines that looked like events but were not: why. */
  invalidLines: string[];
  /** Stdout lines that were plain text (allowed; they become log events). */
  plainLines: number;
  /** When SIGTERM was sent, in ms after the start; undefined if it was not. */
  sigtermAtMs?: number;
}

/** Run an executor once the way the runner would, and keep everything it reported. */
export async function runProbe(options: ProbeOptions): Promise<Probe> {
  const events: ExecutorEvent[] = [];
  const invalidLines: string[] = [];
  let plainLines = 0;
  const controller = new AbortController();
  const started = performance.now();
  let sigtermAtMs: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  if (options.sigtermAfterMs !== undefined) {
    timer = setTimeout(() => {
      sigtermAtMs = performance.now() - started;
      controller.abort();
    }, options.sigtermAfterMs);
  }
  const child = spawnExecutor({
    executable: options.executable,
    invocation: options.invocation,
    cwd: options.cwd,
    graceMs: options.graceMs,
    timeoutMs: options.timeoutMs,
    envAllow: options.envAllow,
    signal: controller.signal,
    ...(options.stdinText === undefined ? {} : { stdinText: options.stdinText }),
    keepStdinOpen: options.sigtermAfterMs !== undefined,
    onEvent: (event, stream) => {
      events.push(event);
      if (stream !== 'stdout' || event.type !== 'log') return;
      if (event.reason !== undefined && event.stream === 'stdout') invalidLines.push(event.reason);
      else if (event.stream === 'stdout') plainLines += 1;
    },
  });
  const outcome = await child.outcome;
  clearTimeout(timer);
  return { outcome, events, invalidLines, plainLines, ...(sigtermAtMs === undefined ? {} : { sigtermAtMs }) };
}
