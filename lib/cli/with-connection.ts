import { createLogger } from '../log/create-logger.js';
import { connectCoordinator, type Connection } from './connect-coordinator.js';

/** The flags every client command that talks to a coordinator has. */
export interface ClientOptions {
  coordinatorUrl?: string;
  json?: boolean;
  verbose?: boolean;
}

/** Connect (no runner: the command runs no work), use the connection, close it; logs only at warn unless --verbose. */
export async function withConnection<T>(options: ClientOptions, use: (connection: Connection) => Promise<T>): Promise<T> {
  const logger = createLogger({ name: 'agent-runner', verbose: options.verbose ?? false });
  if (!options.verbose && process.env.AGENT_RUNNER_LOG_LEVEL === undefined) logger.level = 'warn';
  const connection = await connectCoordinator({ coordinatorUrl: options.coordinatorUrl, withRunner: false, cwd: process.cwd(), logger });
  try {
    return await use(connection);
  } finally {
    await connection.close();
  }
}
