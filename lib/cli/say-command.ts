import { CliError, EXIT_USAGE } from './cli-error.js';
import { terminalText } from './terminal-text.js';
import { type ClientOptions, withConnection } from './with-connection.js';

/**
 * `say MESSAGE`: the console's Chat from a terminal. `@reviewer look at the last commit` starts a session
 * of `reviewer`; `@a @b do X` one of each (POST /v1/mentions: every name is checked first, an unknown one
 * starts nothing). Prints each session started; follow one with `agent-runner sessions events ID -f`.
 */
export async function sayCommand(message: string, options: ClientOptions): Promise<number> {
  if (message.trim() === '') throw new CliError('MESSAGE: must not be empty (@name, then what to do)', EXIT_USAGE);
  return withConnection(options, false, async ({ api, embedded }) => {
    if (embedded) throw new CliError('say needs a coordinator that outlives this command (start `agent-runner` first, or pass -c URL)', EXIT_USAGE);
    const started = await api.sendMentions(message);
    if (options.json) {
      process.stdout.write(`${JSON.stringify(started, null, 2)}\n`);
      return started.errors.length > 0 ? 1 : 0;
    }
    for (const s of started.sessions) process.stdout.write(`${s.session_id}  @${terminalText(s.agent)}  ${s.status}\n`);
    for (const e of started.errors) process.stderr.write(`@${terminalText(e.agent)}: not started: ${terminalText(e.message)}\n`);
    return started.errors.length > 0 ? 1 : 0;
  });
}
