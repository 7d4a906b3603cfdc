import { printableText } from './printable-text.js';

/** How log lines are written: `json` (one pino JSON object a line, for machines) or `pretty` (for people). */
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Environment variable read when `--log-format` is absent (by `agent-runner`, and by `agent-coordinator` after its own). */
export const LOG_FORMAT_ENV = 'AGENT_RUNNER_LOG_FORMAT';

/** A `--log-format` or environment value that is not a format; the message names where it came from. */
export class LogFormatError extends Error {
  override name = 'LogFormatError';
}

/** One place a format may be given: a flag or an environment variable, by the name a user knows it by. */
export interface LogFormatSource {
  name: string;
  value: string | undefined;
}

/**
 * The log format: the first source given (flags before environment variables; an empty variable counts
 * as unset), else `pretty` when the logs go to a terminal and `json` when they go to a file or a pipe.
 */
export function resolveLogFormat(sources: readonly LogFormatSource[], toTerminal: boolean): LogFormat {
  for (const { name, value } of sources) {
    if (value === undefined || (value === '' && !name.startsWith('-'))) continue;
    const format = LOG_FORMATS.find((f) => f === value.trim().toLowerCase());
    if (format === undefined) throw new LogFormatError(`${name}: "${printableText(value)}" is not a log format (use ${LOG_FORMATS.join(' or ')})`);
    return format;
  }
  return toTerminal ? 'pretty' : 'json';
}
