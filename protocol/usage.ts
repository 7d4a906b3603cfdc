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

export const UsageReportSchema = z.looseObject({
  /** Per agent, by name. */
  agents: z.array(UsageEntrySchema),
  /** Per executor, by name (runs of sessions whose executor was left to the runner are in `agents` only). */
  executors: z.array(UsageEntrySchema),
  /** Every run's: the sum over `agents`. */
  total: UsageTotalsSchema.extend({ runs: z.number() }),
});
export type UsageReport = z.infer<typeof UsageReportSchema>;
