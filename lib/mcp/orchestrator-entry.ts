import type { AgentBlueprint } from '../../protocol/invocation.js';

/** The name of the MCP server entry the runner adds to every blueprint. */
export const ORCHESTRATOR_SERVER = 'orchestrator';
/** Blueprint field that opts out: `"orchestrator_mcp": false` leaves `mcp_servers` as the blueprint has it. */
export const OPT_OUT_FIELD = 'orchestrator_mcp';
/** Header naming the caller's session on every MCP request. */
export const SESSION_HEADER = 'X-Agent-Session-Id';
/** The blueprint name given to a run that has no agent, so it still gets the orchestrator entry. */
export const AD_HOC_BLUEPRINT = 'ad-hoc';

/**
 * The blueprint with an `orchestrator` MCP server entry for this session (URL, session header and bearer
 * token), unless the blueprint sets `orchestrator_mcp: false`. A run with no agent gets a minimal
 * blueprint holding only that entry. The name `orchestrator` is reserved: a blueprint's own entry of that
 * name is replaced.
 */
export function withOrchestratorServer(
  blueprint: AgentBlueprint | undefined,
  sessionId: string,
  endpoint: { url: string; token: string },
): AgentBlueprint {
  const base: AgentBlueprint = blueprint ?? { name: AD_HOC_BLUEPRINT };
  if (base[OPT_OUT_FIELD] === false) return base;
  return {
    ...base,
    mcp_servers: {
      ...base.mcp_servers,
      [ORCHESTRATOR_SERVER]: {
        type: 'http',
        url: endpoint.url,
        headers: { [SESSION_HEADER]: sessionId, Authorization: `Bearer ${endpoint.token}` },
      },
    },
  };
}
