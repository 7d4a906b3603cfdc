import { isatty } from 'node:tty';
import { pino, type Logger } from 'pino';
import { LOG_FORMAT_ENV, resolveLogFormat, type LogFormat } from './log-format.js';
import { prettyDestination } from './pretty-log.js';

export interface LoggerOptions {
  name: string;
  /** Debug lines too (AGENT_RUNNER_LOG_LEVEL wins over it). */
  verbose?: boolean;
  /** A pino level; wins over `verbose` and AGENT_RUNNER_LOG_LEVEL (agent-coordinator's `--log-level`). */
  level?: string;
  /** `json` or `pretty`; absent: AGENT_RUNNER_LOG_FORMAT, else pretty when stderr is a terminal (log-format.ts). */
  format?: LogFormat;
  /** Write each line before returning (the coordinator's choice); default: asynchronously, see below. */
  sync?: boolean;
}

/**
 * Logs on stderr, so stdout stays for command output: JSON lines, or lines for people (pretty-log.ts) on a
 * terminal. Written asynchronously by default: a synchronous write(2) per line cost the runner ~0.2 ms of
 * its event loop per line under load (two lines a run); lines logged while a write is in flight go out
 * together, and pino flushes what is left when the process exits. A malformed AGENT_RUNNER_LOG_FORMAT
 * throws a LogFormatError that names it.
 */
export function createLogger(options: LoggerOptions): Logger {
  const level = options.level ?? process.env.AGENT_RUNNER_LOG_LEVEL ?? (options.verbose ? 'debug' : 'info');
  const toTerminal = isatty(2);
  const format = options.format ?? resolveLogFormat([{ name: LOG_FORMAT_ENV, value: process.env[LOG_FORMAT_ENV] }], toTerminal);
  const destination = pino.destination({ fd: 2, sync: options.sync ?? false });
  if (format === 'json') return pino({ name: options.name, level }, destination);
  const colour = toTerminal && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
  return pino({ name: options.name, level }, prettyDestination(destination, { colour }));
}
