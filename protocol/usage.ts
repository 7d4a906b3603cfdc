/** `GET /v1/usage`: tokens and cost of every run, per agent and per executor, as the coordinator keeps them. */
import { z } from 'zod';
import { isoTime } from './fields.js';
import { UsageTotalsSchema } from './tree.js';
import './zod-config.js';

/** One agent's or executor's totals: `name` null for sessions started without an agent. */
export const UsageEntrySchema = UsageTotalsSchema.extend({
  name: z.string().nullable(),
  /** Runs that reported usage (a retried run counts once). */
  runs: z.number(),
  updated_at: isoTime,
});
export type UsageEntry = z.infer<typeof UsageEntrySchema>;

/** One agent's sessions created since `since` and their own usage (`name` null for sessions without an agent). */
export const AgentUsageSinceSchema = z.looseObject({
  name: z.string().nullable(),
  sessions: z.number(),
  input_tokens: z.number(),
  output_tokens: z.number(),
  cost_usd: z.number(),
});

export const UsageReportSchema = z.looseObject({
  /** Per agent, by name. */
  agents: z.array(UsageEntrySchema),
  /** Per executor, by name (runs of sessions whose executor was left to the runner are in `agents` only). */
  executors: z.array(UsageEntrySchema),
  /** Every run's: the sum over `agents`. */
  total: UsageTotalsSchema.extend({ runs: z.number() }),
  /** With `?since=`: that time, and per agent the sessions created since it. */
  since: z.looseObject({ time: isoTime, agents: z.array(AgentUsageSinceSchema) }).optional(),
});
export type UsageReport = z.infer<typeof UsageReportSchema>;

/** `GET /v1/usage?since=`: sessions created since a time, per agent. */
export const UsageQuerySchema = z.object({
  since: z
    .string()
    .refine((text) => /^\d{4}-\d\d-\d\d(?:T[\d:.]+(?:Z|[+-]\d\d:?\d\d)?)?$/.test(text) && !Number.isNaN(Date.parse(text)), { message: 'must be an ISO 8601 time, e.g. 2026-12-02T00:00:00Z' })
    .optional()
    .describe('Also sum up, per agent, the sessions created at or after this time (ISO 8601), e.g. since midnight.'),
});

