import { pino, type Logger } from 'pino';

/**
 * Structured logs (JSON lines) on stderr, so stdout stays for command output. Written asynchronously:
 * a synchronous write(2) per line cost the runner ~0.2 ms of its event loop per line under load (two
 * lines a run); lines logged while a write is in flight go out together, and pino flushes what is
 * left when the process exits.
 */
export function createLogger(options: { verbose?: boolean; name: string }): Logger {
  const level = process.env.AGENT_RUNNER_LOG_LEVEL ?? (options.verbose ? 'debug' : 'info');
  return pino({ name: options.name, level }, pino.destination({ fd: 2, sync: false }));
}
