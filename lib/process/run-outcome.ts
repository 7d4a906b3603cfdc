import type { ResultEvent } from '../../protocol/executor-event.js';
import { EXIT_REJECTED, EXIT_TEMPFAIL, type OutcomeKind } from '../../protocol/outcome.js';

/**
 * How a run ended. One shape for every ending, success or not (the execa model: the error *is* the
 * result); `kind` says what happened (protocol/outcome.ts lists the kinds and their exit codes).
 */
export type RunOutcome = {
  kind: OutcomeKind;
  /** The executor's exit code; `null` when a signal ended it or it never started. */
  exit_code: number | null;
  /** The signal that ended it (`SIGTERM`, `SIGKILL`, ...), or `null`. */
  signal: string | null;
  duration_ms: number;
  /** The last lines the executor wrote to stderr (at most STDERR_TAIL_LINES lines / STDERR_TAIL_BYTES). */
  stderr_tail: string;
  /** The last `result` event it reported, if any. */
  result: ResultEvent | null;
  /** From its last `bind` event, if any. */
  executor_session_id: string | null;
  /** We had to SIGKILL the process group after the grace period. */
  forcefully_killed: boolean;
  /** Processes of its group were still alive when the executor itself exited (they were terminated). */
  left_processes_behind: boolean;
  /** One line a person can read: what happened and, for failures, why. */
  message: string;
};

export interface ExitFacts {
  exitCode: number | null;
  signal: string | null;
  /** Set when we ended it: why. */
  terminatedFor: 'timeout' | 'cancel' | null;
  timeoutMs?: number;
  /** Set when the process could not be started at all. */
  spawnError?: string;
  stderrTail: string;
}

function lastLine(text: string): string {
  const lines = text.trimEnd().split('\n');
  return lines[lines.length - 1]?.trim() ?? '';
}

function withReason(summary: string, stderrTail: string): string {
  const reason = lastLine(stderrTail);
  return reason === '' ? summary : `${summary}: ${reason}`;
}

/** Decide the outcome kind and its one-line message from how the process ended. Pure. */
export function classifyExit(facts: ExitFacts): { kind: OutcomeKind; message: string } {
  if (facts.spawnError !== undefined) {
    return { kind: 'infra_failed', message: `could not start the executor: ${facts.spawnError}` };
  }
  if (facts.terminatedFor === 'timeout') {
    const after = facts.timeoutMs === undefined ? '' : ` after ${facts.timeoutMs} ms`;
    return { kind: 'timed_out', message: `timed out${after}` };
  }
  if (facts.terminatedFor === 'cancel') return { kind: 'cancelled', message: 'cancelled' };
  if (facts.signal !== null) {
    return { kind: 'failed', message: withReason(`killed by ${facts.signal}`, facts.stderrTail) };
  }
  switch (facts.exitCode) {
    case 0:
      return { kind: 'succeeded', message: 'succeeded' };
    case EXIT_REJECTED:
      return { kind: 'rejected', message: withReason('rejected the invocation (exit 2)', facts.stderrTail) };
    case EXIT_TEMPFAIL:
      return { kind: 'infra_failed', message: withReason('infrastructure failure (exit 75)', facts.stderrTail) };
    default:
      return { kind: 'failed', message: withReason(`exited with code ${facts.exitCode}`, facts.stderrTail) };
  }
}
