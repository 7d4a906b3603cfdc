/**
 * Executor events: one JSON object per stdout line, discriminated by `type`.
 *
 * Unknown fields are kept (forward compatible); an unknown `type` is not an event and becomes a `log` event
 * that says why. `schemas/executor-event.schema.json` is generated from this file.
 */
import { z } from 'zod';
import './zod-config.js';

const count = z.int().min(0);

export const BindEventSchema = z
  .looseObject({
    type: z.literal('bind'),
    executor_session_id: z.string().min(1, { message: 'executor_session_id must not be empty' }),
  })
  .describe("The executor's own session id, handed back on resume as metadata.executor_session_id.");

export const MessageEventSchema = z
  .looseObject({
    type: z.literal('message'),
    role: z.enum(['assistant', 'user', 'system'], { message: 'role must be "assistant", "user" or "system"' }),
    text: z.string(),
  })
  .describe('A conversational message.');

export const ToolCallEventSchema = z
  .looseObject({
    type: z.literal('tool_call'),
    name: z.string().min(1, { message: 'name must not be empty' }),
    id: z.string().optional(),
    input: z.unknown().optional(),
  })
  .describe('The agent called a tool.');

export const ToolResultEventSchema = z
  .looseObject({
    type: z.literal('tool_result'),
    id: z.string().optional(),
    name: z.string().optional(),
    output: z.unknown().optional(),
    is_error: z.boolean().optional(),
  })
  .describe('What a tool call returned.');

export const ProgressEventSchema = z
  .looseObject({
    type: z.literal('progress'),
    message: z.string(),
    percent: z.number().min(0).max(100).optional(),
  })
  .describe('Human-readable progress, optionally with a percentage.');

export const UsageEventSchema = z
  .looseObject({
    type: z.literal('usage'),
    input_tokens: count.optional(),
    output_tokens: count.optional(),
    cache_read_input_tokens: count.optional(),
    cache_creation_input_tokens: count.optional(),
    cost_usd: z.number().min(0).optional(),
    model: z.string().optional(),
  })
  .describe('Token and cost accounting; totals for the run so far.');

export const ResultEventSchema = z
  .looseObject({
    type: z.literal('result'),
    result_text: z.string().optional(),
    result_data: z.unknown().optional(),
    is_error: z.boolean().optional(),
  })
  .refine((e) => e.result_text !== undefined || e.result_data !== undefined, {
    message: 'a result needs result_text or result_data',
    path: ['result_text'],
  })
  .describe('The outcome of the run; the last one reported wins.');

export const LogEventSchema = z
  .looseObject({
    type: z.literal('log'),
    message: z.string(),
    level: z.enum(['debug', 'info', 'warn', 'error']).optional(),
    stream: z.enum(['stdout', 'stderr']).optional().describe('Set by the runner for lines it turned into logs.'),
    reason: z.string().optional().describe('Set by the runner when a line was not a valid event: why.'),
    truncated: z.boolean().optional().describe('Set by the runner when the line was longer than the limit.'),
  })
  .describe('A log line.');

/** What a rate limit holds back: the credential (its account, any model) or one model on it. */
export const RATE_LIMIT_SCOPES = ['credential', 'model'] as const;

export const RateLimitedEventSchema = z
  .looseObject({
    type: z.literal('rate_limited'),
    retry_at: z.iso
      .datetime({ offset: true, message: 'retry_at must be an ISO 8601 date-time such as "2026-12-02T21:20:00Z"' })
      .optional()
      .describe('When the limit resets, as the API said; absent when it did not say (the coordinator then waits its default).'),
    scope: z.enum(RATE_LIMIT_SCOPES, { message: 'scope must be "credential" or "model"' }),
    model: z.string().min(1, { message: 'model must not be empty' }).max(200, { message: 'model must be at most 200 characters' }).optional(),
    message: z.string().max(2000, { message: 'message must be at most 2000 characters' }),
  })
  .refine((e) => e.scope !== 'model' || e.model !== undefined, { message: 'a rate limit of scope "model" names its model', path: ['model'] })
  .describe(
    'The API refused for a rate or usage limit. The executor then ends with exit 75; the coordinator parks the run until retry_at (or on another credential profile) without charging an attempt.',
  );

export const EVENT_TYPES = ['bind', 'message', 'tool_call', 'tool_result', 'progress', 'usage', 'result', 'log', 'rate_limited'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const ExecutorEventSchema = z
  .discriminatedUnion('type', [
    BindEventSchema,
    MessageEventSchema,
    ToolCallEventSchema,
    ToolResultEventSchema,
    ProgressEventSchema,
    UsageEventSchema,
    ResultEventSchema,
    LogEventSchema,
    RateLimitedEventSchema,
  ])
  .describe('One event an executor reports, as one JSON object on one stdout line.');

/** Schema per type, to validate a line whose `type` is already known. */
export const EVENT_SCHEMAS: Record<EventType, z.ZodType> = {
  bind: BindEventSchema,
  message: MessageEventSchema,
  tool_call: ToolCallEventSchema,
  tool_result: ToolResultEventSchema,
  progress: ProgressEventSchema,
  usage: UsageEventSchema,
  result: ResultEventSchema,
  log: LogEventSchema,
  rate_limited: RateLimitedEventSchema,
};

export type ExecutorEvent = z.infer<typeof ExecutorEventSchema>;
export type BindEvent = z.infer<typeof BindEventSchema>;
export type ResultEvent = z.infer<typeof ResultEventSchema>;
export type LogEvent = z.infer<typeof LogEventSchema>;
export type RateLimitedEvent = z.infer<typeof RateLimitedEventSchema>;
