/**
 * The slice of `@anthropic-ai/claude-agent-sdk` this executor uses, declared here rather than imported:
 * the SDK is an optional dependency, and the build must still pass when it is not installed
 * (`npm ci --omit=optional`). `sdk-types.test.ts` checks these stay assignable to the SDK's own types.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';

export type SdkMcpServer =
  | { type: 'http' | 'sse'; url: string; headers?: Record<string, string> }
  | { type: 'stdio'; command: string; args?: string[]; env?: Record<string, string> };

export type SdkSystemPrompt = string | { type: 'preset'; preset: 'claude_code'; append?: string };

/** Arguments the SDK hands to `spawnClaudeCodeProcess`. */
export interface SdkSpawnOptions {
  command: string;
  args: string[];
  cwd?: string;
  env: { [name: string]: string | undefined };
  signal: AbortSignal;
}

/** What the permission callback answers (a slice of the SDK's `PermissionResult`). */
export type SdkPermissionResult =
  | { behavior: 'allow'; updatedInput?: Record<string, unknown>; decisionClassification?: 'user_temporary' | 'user_permanent' }
  | { behavior: 'deny'; message: string; decisionClassification?: 'user_reject' };

/** The SDK's `CanUseTool`, with the options this executor reads. */
export type SdkCanUseTool = (
  toolName: string,
  input: Record<string, unknown>,
  options: { signal: AbortSignal; toolUseID: string; title?: string; decisionReason?: string },
) => Promise<SdkPermissionResult>;

/** The `query()` options this executor sets. */
export interface SdkOptions {
  cwd: string;
  env?: { [name: string]: string | undefined };
  model?: string;
  /** Claude Code's own fallback when the model is overloaded (HTTP 529). */
  fallbackModel?: string;
  permissionMode: 'default' | 'acceptEdits' | 'bypassPermissions' | 'plan' | 'dontAsk' | 'auto';
  allowDangerouslySkipPermissions?: boolean;
  allowedTools?: string[];
  disallowedTools?: string[];
  maxTurns?: number;
  maxBudgetUsd?: number;
  resume?: string;
  systemPrompt?: SdkSystemPrompt;
  mcpServers?: Record<string, SdkMcpServer>;
  mcpServersDelivery?: 'argv' | 'initialize';
  /** Local plugin folders (here: the run's skills, skills-plugin.ts). */
  plugins?: Array<{ type: 'local'; path: string }>;
  outputFormat?: { type: 'json_schema'; schema: Record<string, unknown> };
  /** Flag settings (`--settings`): here only the permission rules that make listed tools ask. */
  settings?: { permissions: { ask: string[] } };
  canUseTool?: SdkCanUseTool;
  pathToClaudeCodeExecutable?: string;
  abortController?: AbortController;
  spawnClaudeCodeProcess?: (options: SdkSpawnOptions) => ChildProcessWithoutNullStreams;
}

/** What `query()` returns: an async stream of SDK messages. Messages are read loosely (see map-message.ts). */
export type SdkQuery = AsyncIterable<unknown>;

export interface AgentSdk {
  query(params: { prompt: string; options: SdkOptions }): SdkQuery;
}
