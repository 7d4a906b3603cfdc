/**
 * Reading and checking the invocation: the Schema 2.0 document plus the optional blueprint fields this
 * executor honours. Every rejection names the field and the reason (the executor then exits 2).
 */
import { z } from 'zod';
import { InvocationSchema, type Invocation } from '../../../protocol/invocation.js';
import { formatFieldIssues, formatPath, toFieldIssues } from '../../../protocol/field-issues.js';
import { ApprovalsSchema } from '../../../protocol/questions.js';
import type { ApprovalSettings } from './approvals.js';
import { PERMISSION_MODES, type PermissionMode } from './config.js';

const toolNames = (field: string) =>
  z.array(z.string().min(1, { message: `${field} entries must not be empty` }), { message: `${field} must be an array of tool names` });

/** Optional `agent_blueprint` fields for Claude Code. Other executors ignore them; unknown ones are ignored here. */
export const ClaudeBlueprintSchema = z.looseObject({
  system_prompt_mode: z
    .enum(['append', 'replace'], { message: 'system_prompt_mode must be "append" or "replace"' })
    .optional()
    .describe("append (default): system_prompt is added to Claude Code's own; replace: it is the whole prompt."),
  model: z.string().min(1, { message: 'model must not be empty' }).optional(),
  models: z
    .array(z.string().min(1, { message: 'models entries must not be empty' }), { message: 'models must be an array of model names' })
    .min(1, { message: 'models must name at least one model' })
    .optional()
    .describe('Models in order: the first is used, the next is Claude Code\'s fallback when it is overloaded.'),
  permission_mode: z.enum(PERMISSION_MODES, { message: `permission_mode must be one of ${PERMISSION_MODES.join(', ')}` }).optional(),
  allowed_tools: toolNames('allowed_tools').optional(),
  disallowed_tools: toolNames('disallowed_tools').optional(),
  max_turns: z.int({ message: 'max_turns must be a whole number' }).min(1, { message: 'max_turns must be at least 1' }).optional(),
  max_budget_usd: z.number({ message: 'max_budget_usd must be a number' }).positive({ message: 'max_budget_usd must be more than 0' }).optional(),
  output_schema: z
    .record(z.string(), z.unknown(), { message: 'output_schema must be a JSON Schema object' })
    .optional()
    .describe('Ask for structured output matching this JSON Schema; it is reported as result_data.'),
  approvals: ApprovalsSchema.optional(),
});

export interface BlueprintSettings {
  systemPromptMode: 'append' | 'replace';
  model?: string;
  /** The model used when `model` is overloaded (the first of `models` other than `model`). */
  fallbackModel?: string;
  permissionMode?: PermissionMode;
  allowedTools?: string[];
  disallowedTools?: string[];
  maxTurns?: number;
  maxBudgetUsd?: number;
  outputSchema?: Record<string, unknown>;
  approvals?: ApprovalSettings;
}

export type ParsedInvocation =
  | { ok: true; invocation: Invocation; settings: BlueprintSettings; resumeId: string | undefined }
  | { ok: false; reason: string };

/** Parse stdin text into a checked invocation and the blueprint settings. Pure; never throws. */
export function parseInvocation(text: string): ParsedInvocation {
  if (text.trim() === '') return { ok: false, reason: 'no input on stdin (expected one Schema 2.0 JSON document)' };
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `stdin is not valid JSON (${(error as Error).message})` };
  }
  const parsed = InvocationSchema.safeParse(document);
  if (!parsed.success) return { ok: false, reason: formatFieldIssues(toFieldIssues(parsed.error)) };
  const invocation = parsed.data;

  const blueprint = ClaudeBlueprintSchema.safeParse(invocation.agent_blueprint ?? {});
  if (!blueprint.success) {
    const issues = blueprint.error.issues.map((i) => ({ path: formatPath(['agent_blueprint', ...i.path]), message: i.message }));
    return { ok: false, reason: formatFieldIssues(issues) };
  }
  const b = blueprint.data;

  const resumeId = invocation.mode === 'resume' ? invocation.metadata?.executor_session_id : undefined;
  if (invocation.mode === 'resume' && resumeId === undefined) {
    return { ok: false, reason: 'metadata.executor_session_id: required on resume (the Claude session id from the bind event of an earlier run)' };
  }
  const settings: BlueprintSettings = { systemPromptMode: b.system_prompt_mode ?? 'append' };
  // `models: [a, b, …]`: a is the model and b Claude Code's fallback on 529 overloaded (it takes one; the
  // rest are for the coordinator's choice). With `model` too (as the runner writes both), `model` is first.
  const primary = b.model ?? b.models?.[0];
  if (primary !== undefined) settings.model = primary;
  const fallback = b.models?.find((m) => m !== primary);
  if (fallback !== undefined) settings.fallbackModel = fallback;
  if (b.permission_mode !== undefined) settings.permissionMode = b.permission_mode;
  if (b.allowed_tools !== undefined) settings.allowedTools = b.allowed_tools;
  if (b.disallowed_tools !== undefined) settings.disallowedTools = b.disallowed_tools;
  if (b.max_turns !== undefined) settings.maxTurns = b.max_turns;
  if (b.max_budget_usd !== undefined) settings.maxBudgetUsd = b.max_budget_usd;
  if (b.output_schema !== undefined) settings.outputSchema = b.output_schema;
  if (b.approvals !== undefined) {
    settings.approvals = { tools: b.approvals.tools };
    if (b.approvals.timeout_s !== undefined) settings.approvals.timeoutS = b.approvals.timeout_s;
    if (b.approvals.on_timeout !== undefined) settings.approvals.onTimeout = b.approvals.on_timeout;
  }
  return { ok: true, invocation, settings, resumeId };
}

/** Read all of stdin as UTF-8. */
export async function readStdin(stream: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
