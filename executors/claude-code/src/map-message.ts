/**
 * Claude Code's stream-json messages (as the Agent SDK yields them) → agent-runner events. Pure apart from
 * the small state a stream needs: the bound session, tool names by id, the model, the final result.
 * Messages are read loosely: an unknown `type`, `subtype` or content block is ignored, so a newer Claude
 * Code never breaks the executor.
 */
import type { z } from 'zod';
import type { ExecutorEvent, ResultEvent, UsageEventSchema } from '../../../protocol/executor-event.js';

type UsageEvent = z.infer<typeof UsageEventSchema>;

export interface MappingState {
  /** The Claude session id last reported with `bind`. */
  boundSessionId: string | undefined;
  /** Tool names by tool_use id, to name tool results. */
  toolNames: Map<string, string>;
  model: string | undefined;
  /** The SDK `result` message, once seen. */
  result: ClaudeResult | undefined;
  /** An assistant message flagged an API error (e.g. `authentication_failed`). */
  apiError: string | undefined;
  /**
   * Token usage of each assistant message seen, by message id (Claude Code repeats a message's usage on
   * each of its content blocks): what the run used so far when it ends without a result message.
   */
  messageUsage: Map<string, Partial<Record<TokenField, number>>>;
}

const TOKEN_FIELDS = ['input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens'] as const;
type TokenField = (typeof TOKEN_FIELDS)[number];

/** The fields of Claude's final `result` message that decide the run's outcome. */
export interface ClaudeResult {
  subtype: string;
  isError: boolean;
  text: string | undefined;
  errors: string[];
  structuredOutput: unknown;
  apiErrorStatus: number | undefined;
}

export function newMappingState(): MappingState {
  return { boundSessionId: undefined, toolNames: new Map(), model: undefined, result: undefined, apiError: undefined, messageUsage: new Map() };
}

/**
 * The usage of the run so far, summed over the assistant messages seen, for a run that ends without
 * Claude's result message (cancelled, or Claude Code failed): without cost, which only the result message
 * gives. Undefined once the result message was seen (its usage event said it all) or when no message had usage.
 */
export function usageSoFar(state: MappingState): ExecutorEvent | undefined {
  if (state.result !== undefined || state.messageUsage.size === 0) return undefined;
  const event: UsageEvent = { type: 'usage' };
  for (const field of TOKEN_FIELDS) {
    event[field] = [...state.messageUsage.values()].reduce((sum, usage) => sum + (usage[field] ?? 0), 0);
  }
  if (state.model !== undefined) event.model = state.model;
  event.partial = true;
  return event;
}

/** Note an assistant message's token usage under its id (the last report of an id wins). */
function noteMessageUsage(body: Loose, state: MappingState): void {
  if (!isObject(body.usage)) return;
  const usage: Partial<Record<TokenField, number>> = {};
  for (const field of TOKEN_FIELDS) {
    const n = count(body.usage[field]);
    if (n !== undefined) usage[field] = n;
  }
  state.messageUsage.set(str(body.id) ?? `#${state.messageUsage.size}`, usage);
}

type Loose = Record<string, unknown>;
const isObject = (v: unknown): v is Loose => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const count = (v: unknown): number | undefined => {
  const n = num(v);
  return n !== undefined && n >= 0 ? Math.round(n) : undefined;
};

/** Map one SDK message to zero or more events, updating the state. Never throws. */
export function mapMessage(message: unknown, state: MappingState): ExecutorEvent[] {
  if (!isObject(message)) return [];
  switch (message.type) {
    case 'system':
      return mapSystem(message, state);
    case 'assistant':
      return mapAssistant(message, state);
    case 'user':
      return mapUser(message, state);
    case 'result':
      return mapResult(message, state);
    default:
      return [];
  }
}

function mapSystem(message: Loose, state: MappingState): ExecutorEvent[] {
  if (message.subtype === 'init') {
    const events: ExecutorEvent[] = [];
    const sessionId = str(message.session_id);
    if (sessionId !== undefined && sessionId !== '' && sessionId !== state.boundSessionId) {
      state.boundSessionId = sessionId;
      events.push({ type: 'bind', executor_session_id: sessionId });
    }
    state.model = str(message.model) ?? state.model;
    const servers = Array.isArray(message.mcp_servers) ? message.mcp_servers.filter(isObject) : [];
    const serverList = servers.map((s) => `${str(s.name) ?? '?'} (${str(s.status) ?? '?'})`).join(', ');
    events.push({
      type: 'log',
      level: 'debug',
      message:
        `Claude Code ${str(message.claude_code_version) ?? '?'}: model ${state.model ?? '?'}, ` +
        `permission mode ${str(message.permissionMode) ?? '?'}, MCP servers: ${serverList === '' ? 'none' : serverList}`,
    });
    for (const s of servers) {
      const status = str(s.status);
      if (status === 'failed' || status === 'needs-auth') {
        events.push({ type: 'log', level: 'warn', message: `MCP server "${str(s.name) ?? '?'}" is ${status}; its tools are unavailable` });
      }
    }
    return events;
  }
  if (message.subtype === 'api_retry') {
    const status = num(message.error_status);
    return [
      {
        type: 'log',
        level: 'warn',
        message:
          `Claude API request failed (${status === undefined ? 'no status' : `HTTP ${status}`}, ${str(message.error) ?? 'unknown error'}); ` +
          `retry ${num(message.attempt) ?? '?'} of ${num(message.max_retries) ?? '?'} in ${num(message.retry_delay_ms) ?? '?'} ms`,
      },
    ];
  }
  return [];
}

function mapAssistant(message: Loose, state: MappingState): ExecutorEvent[] {
  const body = isObject(message.message) ? message.message : {};
  noteMessageUsage(body, state);
  const error = str(message.error);
  const content = Array.isArray(body.content) ? body.content.filter(isObject) : [];
  if (error !== undefined) {
    // A synthetic message standing for a failed API call; the result that follows carries the outcome.
    state.apiError = error;
    const text = content.map((b) => str(b.text) ?? '').join(' ').trim();
    return [{ type: 'log', level: 'warn', message: `Claude API error (${error})${text === '' ? '' : `: ${text}`}` }];
  }
  const parent = str(message.parent_tool_use_id);
  const extra = parent === undefined ? {} : { parent_tool_use_id: parent };
  const events: ExecutorEvent[] = [];
  for (const block of content) {
    if (block.type === 'text' && typeof block.text === 'string' && block.text !== '') {
      events.push({ type: 'message', role: 'assistant', text: block.text, ...extra });
    } else if (block.type === 'tool_use' && typeof block.name === 'string' && block.name !== '') {
      const id = str(block.id);
      if (id !== undefined) state.toolNames.set(id, block.name);
      events.push({ type: 'tool_call', name: block.name, ...(id === undefined ? {} : { id }), input: block.input ?? {}, ...extra });
    }
  }
  return events;
}

function mapUser(message: Loose, state: MappingState): ExecutorEvent[] {
  const body = isObject(message.message) ? message.message : {};
  if (!Array.isArray(body.content)) return [];
  const parent = str(message.parent_tool_use_id);
  const events: ExecutorEvent[] = [];
  for (const block of body.content.filter(isObject)) {
    if (block.type !== 'tool_result') continue;
    const id = str(block.tool_use_id);
    const name = id === undefined ? undefined : state.toolNames.get(id);
    events.push({
      type: 'tool_result',
      ...(id === undefined ? {} : { id }),
      ...(name === undefined ? {} : { name }),
      output: toolOutput(block.content),
      is_error: block.is_error === true,
      ...(parent === undefined ? {} : { parent_tool_use_id: parent }),
    });
  }
  return events;
}

/** A tool result's content: a string as is, text blocks joined, anything else (images…) kept raw. */
export function toolOutput(content: unknown): unknown {
  if (content === undefined || content === null) return '';
  if (typeof content === 'string') return content;
  if (Array.isArray(content) && content.every((b) => isObject(b) && b.type === 'text' && typeof b.text === 'string')) {
    return content.map((b) => (b as { text: string }).text).join('\n');
  }
  return content;
}

function mapResult(message: Loose, state: MappingState): ExecutorEvent[] {
  const subtype = str(message.subtype) ?? 'unknown';
  const errors = Array.isArray(message.errors) ? message.errors.filter((e): e is string => typeof e === 'string') : [];
  const result: ClaudeResult = {
    subtype,
    isError: message.is_error === true || subtype !== 'success',
    text: str(message.result),
    errors,
    structuredOutput: message.structured_output,
    apiErrorStatus: num(message.api_error_status),
  };
  state.result = result;

  const usage = isObject(message.usage) ? message.usage : {};
  const models = isObject(message.modelUsage) ? Object.keys(message.modelUsage) : [];
  const model = models.length === 1 ? models[0] : state.model;
  const usageEvent: UsageEvent = { type: 'usage' };
  const fields = ['input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens'] as const;
  for (const field of fields) {
    const n = count(usage[field]);
    if (n !== undefined) usageEvent[field] = n;
  }
  const cost = num(message.total_cost_usd);
  if (cost !== undefined && cost >= 0) {
    usageEvent.cost_usd = cost;
    // Claude Code restores a resumed session's cost: the figure covers the whole Claude session so far.
    usageEvent.cost_scope = 'executor_session';
  }
  if (model !== undefined) usageEvent.model = model;
  const turns = num(message.num_turns);
  if (turns !== undefined) usageEvent.num_turns = turns;

  const resultEvent: ResultEvent = { type: 'result', is_error: result.isError, subtype };
  const text = result.isError ? describeFailure(result) : result.text;
  if (text !== undefined) resultEvent.result_text = text;
  if (result.structuredOutput !== undefined && result.structuredOutput !== null) resultEvent.result_data = result.structuredOutput;
  if (resultEvent.result_text === undefined && resultEvent.result_data === undefined) resultEvent.result_text = '';
  if (errors.length > 0) resultEvent.errors = errors;
  const stopReason = str(message.stop_reason);
  if (stopReason !== undefined) resultEvent.stop_reason = stopReason;
  return [usageEvent, resultEvent];
}

/** One sentence saying why Claude's run failed, from its result message. */
export function describeFailure(result: ClaudeResult): string {
  const detail = [result.text, ...result.errors].filter((t): t is string => t !== undefined && t.trim() !== '').join('; ');
  const withDetail = (sentence: string) => (detail === '' ? sentence : `${sentence}: ${detail}`);
  switch (result.subtype) {
    case 'error_max_turns':
      return withDetail('Claude stopped at the maximum number of turns (max_turns)');
    case 'error_max_budget_usd':
      return withDetail('Claude stopped at its budget (max_budget_usd)');
    case 'error_max_structured_output_retries':
      return withDetail('Claude could not produce output matching output_schema');
    case 'error_during_execution':
      return withDetail('Claude Code failed during execution');
    case 'success':
      return withDetail('Claude Code reported an error');
    default:
      return withDetail(`Claude Code ended with ${result.subtype}`);
  }
}
