import type { Hono } from 'hono';
import type { z } from 'zod';
import { USAGE_COUNTERS } from '../../rules/run-usage.js';
import type { UsageTotalsRecord } from '../../store/ops/list-usage-totals.js';
import { UsageQuerySchema, type UsageEntrySchema, type UsageReportSchema } from '../../../protocol/usage.js';
import { readQuery } from '../validate.js';
import type { CoordinatorContext } from '../context.js';

type Entry = z.input<typeof UsageEntrySchema>;

/** A usage_totals row as the API shows it (the agent `''` of sessions without one as null). */
function toEntry(t: UsageTotalsRecord): Entry {
  const { scope: _scope, name, updated_at: updated, ...counters } = t;
  return { name: t.scope === 'agent' && name === '' ? null : name, ...counters, updated_at: new Date(updated).toISOString() };
}

/**
 * `GET /v1/usage`: the totals per agent and per executor the coordinator keeps as runs report (one small
 * table read); with `?since=`, also per agent the sessions created since then (the console's cost today).
 */
export function mountUsageRoutes(app: Hono, ctx: CoordinatorContext): void {
  app.get('/v1/usage', async (c) => {
    const q = readQuery(c, UsageQuerySchema);
    const sinceMs = q.since === undefined ? null : Date.parse(q.since);
    const [rows, recent] = await Promise.all([ctx.store.listUsageTotals(), sinceMs === null ? null : ctx.store.sumAgentUsageSince(sinceMs)]);
    const agents = rows.filter((r) => r.scope === 'agent').map(toEntry);
    const executors = rows.filter((r) => r.scope === 'executor').map(toEntry);
    const total = { runs: 0, input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0, cost_usd: 0 };
    for (const a of agents) {
      total.runs += a.runs;
      for (const field of USAGE_COUNTERS) total[field] += a[field];
    }
    const body: z.input<typeof UsageReportSchema> = { agents, executors, total };
    if (recent !== null) body.since = { time: new Date(sinceMs!).toISOString(), agents: recent.map((a) => ({ ...a, name: a.name === '' ? null : a.name })) };
    return c.json(body);
  });
}
