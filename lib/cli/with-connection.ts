import { connectCoordinator, type Connection } from './connect-coordinator.js';

/** What every client command takes to find its coordinator. */
export interface ClientOptions {
  coordinatorUrl?: string;
  executorsDir?: string[];
  json?: boolean;
  verbose?: boolean;
}

/**
 * Connect (to `--coordinator-url`, one running here, or one started in-process for the command), run
 * `use`, then close; `withRunner` starts an in-process runner too when embedding; `cancelRuns` tells
 * close to cancel that runner's runs at once (the command was interrupted).
 */
export async function withConnection<T>(options: ClientOptions, withRunner: boolean, use: (c: Connection) => Promise<T>, cancelRuns: () => boolean = () => false): Promise<T> {
  // Made (and pino loaded) only when a coordinator is started in this process: a client command answered
  // by a running coordinator starts without it.
  const logger = async () => (await import('./command-logger.js')).commandLogger(options.verbose);
  const connection = await connectCoordinator({ coordinatorUrl: options.coordinatorUrl, withRunner, executorsDir: options.executorsDir, cwd: process.cwd(), logger });
  try {
    return await use(connection);
  } finally {
    await connection.close({ cancelRuns: cancelRuns() });
  }
}
