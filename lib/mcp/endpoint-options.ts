import type { Logger } from 'pino';
import type { RunReporter } from './tool-context.js';

/** The path the endpoint serves. */
export const MCP_PATH = '/mcp';

/** How the runner's MCP endpoint listens and reaches the coordinator; shared by the listener and its lazily loaded handler. */
export interface McpEndpointOptions {
  /** 0 = any free port. */
  port: number;
  host?: string;
  secret: string;
  coordinatorUrl: string;
  apiToken?: string | undefined;
  reporter: RunReporter;
  logger: Logger;
  /** How often a waiting ask_user / request_approval sends a progress notification (default QUESTION_PROGRESS_MS). */
  questionProgressMs?: number;
}
