/**
 * From an invocation, its blueprint settings and the executor config to the Agent SDK's `query()` options.
 * Pure: main.ts adds the process plumbing (abort controller, spawn hook).
 */
import type { Invocation, McpServerConfig } from '../../../protocol/invocation.js';
import { askRules } from './approvals.js';
import type { ExecutorConfig } from './config.js';
import type { BlueprintSettings } from './read-invocation.js';
import type { SdkMcpServer, SdkOptions } from './sdk-types.js';

/** Tells Anthropic's usage reporting which program drives Claude Code (the SDK's convention). */
export const CLIENT_APP = 'agent-runner-claude-code/1.0.0';

export interface BuildOptionsInput {
  invocation: Invocation;
  settings: BlueprintSettings;
  config: ExecutorConfig;
  resumeId: string | undefined;
  /** The environment Claude Code inherits (this process's). */
  env: NodeJS.ProcessEnv;
  /** Used when the invocation has no `project_dir`. */
  cwd: string;
  /** The plugin folder holding the run's skills (skills-plugin.ts), when it has any. */
  skillsPlugin?: string | undefined;
}

/**
 * Blueprint values win over the executor config, except `disallowed_tools`, which add to the host's list
 * (an operator can forbid a tool for every agent). The blueprint's MCP servers are allowed (`mcp__<name>`
 * permission rules) so that headless permission modes do not deny the tools the blueprint asked for.
 */
export function buildOptions(input: BuildOptionsInput): SdkOptions {
  const { invocation, settings, config } = input;
  const blueprint = invocation.agent_blueprint;
  const options: SdkOptions = {
    cwd: invocation.project_dir ?? input.cwd,
    env: { ...input.env, CLAUDE_AGENT_SDK_CLIENT_APP: CLIENT_APP },
    permissionMode: settings.permissionMode ?? config.permissionMode,
  };
  if (options.permissionMode === 'bypassPermissions') options.allowDangerouslySkipPermissions = true;

  const model = settings.model ?? config.model;
  if (model !== undefined) options.model = model;
  if (settings.fallbackModel !== undefined && settings.fallbackModel !== model) options.fallbackModel = settings.fallbackModel;
  const maxTurns = settings.maxTurns ?? config.maxTurns;
  if (maxTurns !== undefined) options.maxTurns = maxTurns;
  const maxBudgetUsd = leastBudget(settings.maxBudgetUsd ?? config.maxBudgetUsd, invocation.metadata?.budget?.usd);
  if (maxBudgetUsd !== undefined) options.maxBudgetUsd = maxBudgetUsd;
  if (input.resumeId !== undefined) options.resume = input.resumeId;
  if (config.executable !== undefined) options.pathToClaudeCodeExecutable = config.executable;

  // The SDK's own default is an empty system prompt; this executor is Claude Code, so ask for its prompt.
  const systemPrompt = blueprint?.system_prompt ?? '';
  if (settings.systemPromptMode === 'replace' && systemPrompt !== '') options.systemPrompt = systemPrompt;
  else options.systemPrompt = { type: 'preset', preset: 'claude_code', ...(systemPrompt === '' ? {} : { append: systemPrompt }) };

  const servers = Object.entries(blueprint?.mcp_servers ?? {});
  const allowed = [...(settings.allowedTools ?? config.allowedTools)];
  if (servers.length > 0) {
    options.mcpServers = Object.fromEntries(servers.map(([name, server]) => [name, toSdkMcpServer(server)]));
    options.mcpServersDelivery = config.mcpDelivery;
    for (const [name] of servers) if (!allowed.includes(`mcp__${name}`)) allowed.push(`mcp__${name}`);
  }
  if (allowed.length > 0) options.allowedTools = allowed;
  const disallowed = [...new Set([...config.disallowedTools, ...(settings.disallowedTools ?? [])])];
  if (disallowed.length > 0) options.disallowedTools = disallowed;

  if (input.skillsPlugin !== undefined) options.plugins = [{ type: 'local', path: input.skillsPlugin }];

  if (settings.outputSchema !== undefined) options.outputFormat = { type: 'json_schema', schema: settings.outputSchema };

  // Approvals: ask rules win over allow rules and the permission mode, so Claude Code asks before every
  // call of a listed tool; main.ts sets the permission callback that takes the question to the coordinator.
  const ask = askRules(settings.approvals?.tools ?? []);
  if (ask.length > 0) options.settings = { permissions: { ask } };
  return options;
}

/** Keep only the fields Claude Code's MCP config knows; the schema guarantees url or command is set. */
export function toSdkMcpServer(server: McpServerConfig): SdkMcpServer {
  const type = server.type ?? (server.command !== undefined ? 'stdio' : 'http');
  if (type === 'stdio') {
    return {
      type: 'stdio',
      command: server.command ?? '',
      ...(server.args === undefined ? {} : { args: server.args }),
      ...(server.env === undefined ? {} : { env: server.env }),
    };
  }
  return { type, url: server.url ?? '', ...(server.headers === undefined ? {} : { headers: server.headers }) };
}

/**
 * The run's dollar limit: the blueprint's (or the executor's default) and what the session's tree has left
 * (`metadata.budget.usd`, sent by the coordinator), whichever is less. Nothing left (0) adds no limit: the
 * coordinator stops a tree that spent its budget.
 */
export function leastBudget(own: number | undefined, treeLeft: number | undefined): number | undefined {
  if (treeLeft === undefined || !(treeLeft > 0)) return own;
  return own === undefined ? treeLeft : Math.min(own, treeLeft);
}
