/** The port an embedded coordinator of the runner daemon listens on, so clients on this machine find it. */
export const DEFAULT_LOCAL_PORT = 8765;
/** Environment variable that moves that port (e.g. two setups on one machine, or tests). */
export const LOCAL_PORT_ENV = 'AGENT_RUNNER_LOCAL_PORT';

/** Where the runner daemon's embedded coordinator listens and where clients look for one first. */
export function localCoordinatorUrl(env: NodeJS.ProcessEnv = process.env): string {
  const text = env[LOCAL_PORT_ENV];
  if (text === undefined || text === '') return `http://127.0.0.1:${DEFAULT_LOCAL_PORT}`;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65_535) {
    throw new Error(`${LOCAL_PORT_ENV}: "${text}" is not a port (1 to 65535)`);
  }
  return `http://127.0.0.1:${port}`;
}
