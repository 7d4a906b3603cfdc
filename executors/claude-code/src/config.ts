/**
 * The executor's own configuration: defaults for every run on this host, read from environment variables.
 * An agent blueprint may override most of them per agent (see blueprint-settings.ts); docs/claude-code.md
 * lists every variable with its default.
 */
import { z } from 'zod';
import { formatFieldIssues, toFieldIssues } from '../../../protocol/field-issues.js';

/** Claude Code's permission modes (the Agent SDK's `PermissionMode`). */
export const PERMISSION_MODES = ['default', 'acceptEdits', 'bypassPermissions', 'plan', 'dontAsk', 'auto'] as const;
export type PermissionMode = (typeof PERMISSION_MODES)[number];

/**
 * Headless default: nobody is there to answer a permission prompt, so a prompt would only deny the tool.
 * `acceptEdits` lets the agent edit files in its project without asking, while shell commands and other
 * tools still need `allowed_tools` (or `bypassPermissions`, opted into deliberately). The blueprint's MCP
 * servers are allowed as well (see build-options.ts): the blueprint author chose them.
 */
export const DEFAULT_PERMISSION_MODE: PermissionMode = 'acceptEdits';

/**
 * How MCP servers reach Claude Code. `initialize` sends them over stdin, so their headers (the runner's
 * per-session bearer token) never appear on a command line other users can read; `argv` is for a
 * `claude` older than 2.1.261, which cannot read them from the initialize request.
 */
export const MCP_DELIVERIES = ['initialize', 'argv'] as const;
export const DEFAULT_MCP_DELIVERY = 'initialize';

/** After SIGTERM, how long Claude Code gets to exit before it is killed; under the runner's 10 s grace. */
export const DEFAULT_KILL_GRACE_MS = 3_000;

/** Environment variable names, one per setting. */
export const ENV = {
  executable: 'CLAUDE_CODE_EXECUTABLE',
  model: 'AGENT_RUNNER_CLAUDE_MODEL',
  permissionMode: 'AGENT_RUNNER_CLAUDE_PERMISSION_MODE',
  allowedTools: 'AGENT_RUNNER_CLAUDE_ALLOWED_TOOLS',
  disallowedTools: 'AGENT_RUNNER_CLAUDE_DISALLOWED_TOOLS',
  maxTurns: 'AGENT_RUNNER_CLAUDE_MAX_TURNS',
  maxBudgetUsd: 'AGENT_RUNNER_CLAUDE_MAX_BUDGET_USD',
  mcpDelivery: 'AGENT_RUNNER_CLAUDE_MCP_DELIVERY',
  killGraceMs: 'AGENT_RUNNER_CLAUDE_KILL_GRACE_MS',
} as const;

export interface ExecutorConfig {
  /** A `claude` binary to run instead of the one bundled with the Agent SDK. */
  executable: string | undefined;
  model: string | undefined;
  permissionMode: PermissionMode;
  allowedTools: string[];
  disallowedTools: string[];
  maxTurns: number | undefined;
  maxBudgetUsd: number | undefined;
  mcpDelivery: (typeof MCP_DELIVERIES)[number];
  killGraceMs: number;
}

const toolList = z
  .string()
  .transform((text) => text.split(',').map((t) => t.trim()).filter((t) => t !== ''));
const wholeNumber = (min: number) =>
  z
    .string()
    .regex(/^\d+$/, { message: 'must be a whole number' })
    .transform(Number)
    .pipe(z.int().min(min, { message: `must be at least ${min}` }));

const EnvSchema = z.object({
  [ENV.executable]: z.string().min(1).optional(),
  [ENV.model]: z.string().min(1).optional(),
  [ENV.permissionMode]: z.enum(PERMISSION_MODES, { message: `must be one of ${PERMISSION_MODES.join(', ')}` }).optional(),
  [ENV.allowedTools]: toolList.optional(),
  [ENV.disallowedTools]: toolList.optional(),
  [ENV.maxTurns]: wholeNumber(1).optional(),
  [ENV.maxBudgetUsd]: z
    .string()
    .transform(Number)
    .pipe(z.number({ message: 'must be a number' }).positive({ message: 'must be more than 0' }))
    .optional(),
  [ENV.mcpDelivery]: z.enum(MCP_DELIVERIES, { message: `must be one of ${MCP_DELIVERIES.join(', ')}` }).optional(),
  [ENV.killGraceMs]: wholeNumber(0).optional(),
});

export type ConfigResult = { ok: true; config: ExecutorConfig } | { ok: false; reason: string };

/** Read the configuration from an environment (empty values count as unset). Never throws. */
export function readConfig(env: NodeJS.ProcessEnv): ConfigResult {
  const present: Record<string, string> = {};
  for (const name of Object.values(ENV)) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') present[name] = value.trim();
  }
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) return { ok: false, reason: `invalid configuration: ${formatFieldIssues(toFieldIssues(parsed.error))}` };
  const v = parsed.data;
  return {
    ok: true,
    config: {
      executable: v[ENV.executable],
      model: v[ENV.model],
      permissionMode: v[ENV.permissionMode] ?? DEFAULT_PERMISSION_MODE,
      allowedTools: v[ENV.allowedTools] ?? [],
      disallowedTools: v[ENV.disallowedTools] ?? [],
      maxTurns: v[ENV.maxTurns],
      maxBudgetUsd: v[ENV.maxBudgetUsd],
      mcpDelivery: v[ENV.mcpDelivery] ?? DEFAULT_MCP_DELIVERY,
      killGraceMs: v[ENV.killGraceMs] ?? DEFAULT_KILL_GRACE_MS,
    },
  };
}
