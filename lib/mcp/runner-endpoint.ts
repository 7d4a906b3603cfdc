import type { Logger } from 'pino';
import type { ExecutorEvent } from '../../protocol/executor-event.js';
import type { AgentBlueprint } from '../../protocol/invocation.js';
import { startMcpEndpoint, type RunningMcpEndpoint } from './mcp-endpoint.js';
import { withOrchestratorServer } from './orchestrator-entry.js';
import { loadMcpSecret, sessionToken } from './session-token.js';
import { ToolError } from './tool-result.js';

/** Where the runner's MCP endpoint puts reported events: the daemon's runs (bound once it exists). */
export interface SessionEventSink {
  appendSessionEvent(sessionId: string, event: ExecutorEvent): string | undefined;
}

export interface RunnerMcp {
  endpoint: RunningMcpEndpoint;
  /** Give the sink once the daemon is built (the daemon needs the endpoint's URL first). */
  attach(sink: SessionEventSink): void;
  /** The runner's blueprint hook: adds the `orchestrator` entry with this session's token. */
  decorateBlueprint(blueprint: AgentBlueprint | undefined, sessionId: string): AgentBlueprint;
}

/** Start a runner's MCP endpoint with the secret from `AGENT_RUNNER_SECRET` or `<stateDir>/mcp-secret`. */
export async function startRunnerMcp(options: {
  stateDir: string;
  port: number;
  coordinatorUrl: string;
  apiToken?: string | undefined;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
}): Promise<RunnerMcp> {
  const secret = loadMcpSecret(options.stateDir, options.env);
  let sink: SessionEventSink | undefined;
  const endpoint = await startMcpEndpoint({
    port: options.port,
    secret,
    coordinatorUrl: options.coordinatorUrl,
    apiToken: options.apiToken,
    logger: options.logger,
    reporter: {
      report(sessionId, event) {
        const runId = sink?.appendSessionEvent(sessionId, event);
        if (runId === undefined) {
          throw new ToolError(`no run of session ${sessionId} is executing on this runner, so there is no current run to report to`);
        }
        return runId;
      },
    },
  });
  return {
    endpoint,
    attach: (s) => (sink = s),
    decorateBlueprint: (blueprint, sessionId) => withOrchestratorServer(blueprint, sessionId, { url: endpoint.url, token: sessionToken(secret, sessionId) }),
  };
}
