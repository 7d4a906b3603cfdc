/** Runner secrets that must never reach an executor's environment. */
export const SECRET_ENV_NAMES = ['AGENT_COORDINATOR_TOKEN', 'AGENT_RUNNER_TOKEN', 'AGENT_RUNNER_SECRET'] as const;

export interface ExecutorEnvFacts {
  sessionId: string;
  runId?: string | undefined;
  mcpUrl?: string | undefined;
}

/**
 * The environment an executor gets: the runner's own, minus its secrets, plus `AGENT_SESSION_ID`,
 * `AGENT_RUN_ID` and `AGENT_RUNNER_MCP_URL` (empty when there is no MCP endpoint, e.g. `invoke`).
 */
export function buildExecutorEnv(base: NodeJS.ProcessEnv, facts: ExecutorEnvFacts): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const name of SECRET_ENV_NAMES) delete env[name];
  env.AGENT_SESSION_ID = facts.sessionId;
  env.AGENT_RUN_ID = facts.runId ?? '';
  env.AGENT_RUNNER_MCP_URL = facts.mcpUrl ?? '';
  return env;
}
