import type { Connection } from './connect-coordinator.js';
import { isUnplaceable, renderWaiting } from './run-ending.js';
import type { InterruptCause, RunInterrupts } from './run-interrupts.js';
import { Spinner } from './spinner.js';
import { makeStyle, type Style } from './style.js';
import { terminalText } from './terminal-text.js';

/** What `run` and `sessions resume` print with while they follow a run (or its tree). */
export interface RunStream {
  write(text: string): void;
  /** A line on stderr (unless the output is gone). */
  say(text: string): void;
  style: Style;
  spinner: Spinner;
  /** Aborted by a second interruption (or a stop that failed): stop following. */
  following: AbortController;
  /** The placement line (no online runner can take the run), once: said right after the run's `queued` line. */
  takePlacement(): string | undefined;
  /** Stop the spinner and the interrupt handler. */
  close(): void;
}

/**
 * Start following a run: its header line, what its placement says, a spinner, and the interrupt handler.
 * The first interruption (Ctrl-C, SIGTERM, SIGHUP, output gone) asks the coordinator to stop the session
 * (and, by the cascading stop, its tree) and goes on waiting for the end; a second one stops waiting (an
 * embedded runner then cancels what it still runs at once, on close).
 */
export async function beginRunStream(
  connection: Connection,
  interrupts: RunInterrupts,
  sessionId: string,
  runId: string,
  json: boolean,
  stopping = 'stopping the session…',
): Promise<RunStream> {
  const { api } = connection;
  const out = process.stdout;
  const write = (text: string) => void (interrupts.outputClosed || out.write(text));
  const say = (text: string) => void (interrupts.outputClosed || process.stderr.write(`${text}\n`));
  const style = makeStyle(out);
  const spinner = new Spinner(process.stderr, !json && process.stderr.isTTY === true);
  if (!json) write(style.bold(`▶ session ${sessionId}`) + style.dim(`  run ${runId}\n  watch it: ${api.baseUrl}/sessions/${sessionId}\n`));
  // Said at once, after the run's `queued` line: no online runner can take it (it waits up to the placement timeout).
  const { waiting } = await api.getSession(sessionId);
  let placement =
    isUnplaceable(waiting) && waiting.run_id === runId
      ? json ? `${JSON.stringify({ type: 'waiting', session_id: sessionId, run_id: runId, waiting })}\n` : `${renderWaiting(waiting, style)}\n`
      : undefined;
  spinner.start('waiting for a runner…');
  const following = new AbortController();
  const onInterrupt = (cause: InterruptCause, count: number) => {
    spinner.stop();
    if (count > 1) {
      say(connection.embedded ? 'cancelling this command\'s executors now…' : `no longer waiting; the coordinator goes on stopping ${sessionId}`);
      following.abort();
      return;
    }
    const why = cause === 'SIGINT' ? '' : `${cause}: `;
    say(`${why}${stopping} (Ctrl-C again to stop waiting${connection.embedded ? ' and cancel at once' : ''})`);
    api.stopSession(sessionId).catch((error: Error) => {
      say(`could not stop ${sessionId}: ${terminalText(error.message)}`);
      following.abort();
    });
  };
  interrupts.handle(onInterrupt);
  return {
    write,
    say,
    style,
    spinner,
    following,
    takePlacement: () => {
      const line = placement;
      placement = undefined;
      return line;
    },
    close: () => {
      spinner.stop();
      interrupts.handle(undefined);
    },
  };
}
