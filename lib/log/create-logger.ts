import { pino, type Logger } from 'pino';

/** Structured logs (JSON lines) on stderr, so stdout stays for command output. */
export function createLogger(options: { verbose?: boolean; name: string }): Logger {
  const level = process.env.AGENT_RUNNER_LOG_LEVEL ?? (options.verbose ? 'debug' : 'info');
  return pino({ name: options.name, level }, pino.destination({ fd: 2, sync: true }));
}
