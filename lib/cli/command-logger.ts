import type { Logger } from 'pino';
import { createLogger } from '../log/create-logger.js';
import { LogFormatError } from '../log/log-format.js';
import { CliError, EXIT_USAGE } from './cli-error.js';

/**
 * The logger of a client command (`run`, `sessions …`) for the coordinator and runner it may start in
 * process: warnings and errors only, unless `-v` or AGENT_RUNNER_LOG_LEVEL asks for more; in the format
 * AGENT_RUNNER_LOG_FORMAT names (a malformed one is a usage error), else pretty on a terminal.
 */
export function commandLogger(verbose: boolean | undefined): Logger {
  let logger: Logger;
  try {
    logger = createLogger({ name: 'agent-runner', verbose: verbose ?? false });
  } catch (error) {
    if (error instanceof LogFormatError) throw new CliError(error.message, EXIT_USAGE);
    throw error;
  }
  if (!verbose && process.env.AGENT_RUNNER_LOG_LEVEL === undefined) logger.level = 'warn';
  return logger;
}
