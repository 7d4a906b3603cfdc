import { exitCodeForRun } from '../../protocol/outcome.js';
import { parseDuration } from '../../protocol/duration.js';
import { isSessionEnded } from '../../protocol/statuses.js';
import { CliError, EXIT_USAGE } from './cli-error.js';
import { readSessionDetail } from './sessions-show-command.js';
import { makeStyle } from './style.js';
import { terminalText } from './terminal-text.js';
import { EXIT_WAIT_INTERRUPTED, EXIT_WAIT_TIMEOUT, waitForSessions } from './wait-for-sessions.js';
import { type ClientOptions, withConnection } from './with-connection.js';

/** `--timeout` as milliseconds (undefined: wait for ever); a bad one is a usage error naming the flag. */
export function readTimeout(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseDuration(text, '--timeout');
  } catch (error) {
    throw new CliError(terminalText((error as Error).message), EXIT_USAGE);
  }
}

/**
 * `sessions wait ID [--timeout D]`: wait until the session has no run in flight, print how its latest run
 * ended and exit with the code `run` would have given (0 succeeded, 1 failed, 2 rejected, 75 infrastructure,
 * 124 timed out, 130 cancelled); 124 too when `--timeout` passes first, 130 on Ctrl-C (the session goes on).
 */
export async function waitSessionCommand(id: string, options: ClientOptions & { timeout?: string }): Promise<number> {
  const timeoutMs = readTimeout(options.timeout);
  return withConnection(options, false, async (connection) => {
    const { end, views } = await waitForSessions(connection, [id], timeoutMs);
    if (end !== 'ended') {
      const still = views[0]?.status ?? 'in flight';
      process.stderr.write(`agent-runner: ${id} is still ${still}${end === 'timeout' ? ` after ${options.timeout} (--timeout)` : '; stopped waiting'}\n`);
      return end === 'timeout' ? EXIT_WAIT_TIMEOUT : EXIT_WAIT_INTERRUPTED;
    }
    const detail = await readSessionDetail(connection.api, id);
    const run = detail.last_run;
    const code = exitCodeForRun(run.status, run.outcome?.kind);
    if (options.json) {
      process.stdout.write(`${JSON.stringify(detail, null, 2)}\n`);
      return code;
    }
    const style = makeStyle(process.stdout);
    const message = run.outcome?.message ?? run.error ?? run.status;
    const why = message === run.status ? '' : `: ${terminalText(message)}`;
    process.stdout.write(code === 0 ? style.green(`✔ ${id} ${run.status}\n`) : style.red(`✘ ${id} ${run.status}${why}\n`));
    return code;
  });
}

/**
 * `sessions result ID`: only the result, for scripts. To a terminal, the text made safe (terminalText) and
 * ended with a newline; to a pipe or file, exactly the text the executor reported. A result with data and
 * no text prints the data as JSON. `--json`: the result object (`result_text`, `result_data`, `is_error`).
 * Exit 1, saying why on stderr, when the session has no result (in flight, or it ended without one).
 */
export async function sessionResultCommand(id: string, options: ClientOptions): Promise<number> {
  return withConnection(options, false, async ({ api }) => {
    const session = await api.getSession(id);
    if (!isSessionEnded(session.status)) {
      throw new CliError(`${id} is ${session.status}: no result yet (wait for it: agent-runner sessions wait ${id})`);
    }
    const result = session.result;
    if (result === null) throw new CliError(`${id} ended ${session.status} without a result (see agent-runner sessions show ${id})`);
    if (options.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return 0;
    }
    const text = result.result_text ?? `${JSON.stringify(result.result_data, null, 2)}\n`;
    if (process.stdout.isTTY !== true) {
      process.stdout.write(text);
      return 0;
    }
    const safe = terminalText(text, { lines: true });
    process.stdout.write(safe.endsWith('\n') ? safe : `${safe}\n`);
    return 0;
  });
}
