import { USAGE_COUNTERS } from '../../rules/run-usage.js';
import type { UsageTotals } from '../../../protocol/tree.js';
import type { SqlClient } from '../sql-client.js';

/** The usage of every run of an agent or of an executor, as `usage_totals` keeps it. */
export interface UsageTotalsRecord extends UsageTotals {
  scope: 'agent' | 'executor';
  /** The agent's or executor's name; `''` for the agent of sessions started without one. */
  name: string;
  /** Runs that reported usage. */
  runs: number;
  updated_at: number;
}

/** Every agent's and executor's totals, by scope then name. */
export async function listUsageTotals(sql: SqlClient): Promise<UsageTotalsRecord[]> {
  const rows = await sql.query(`SELECT scope, name, runs, ${USAGE_COUNTERS.join(', ')}, updated_at FROM usage_totals ORDER BY scope, name`);
  return rows.map((row) => ({
    scope: row.scope as UsageTotalsRecord['scope'],
    name: String(row.name),
    runs: Number(row.runs),
    input_tokens: Number(row.input_tokens),
    output_tokens: Number(row.output_tokens),
    cache_read_input_tokens: Number(row.cache_read_input_tokens),
    cache_creation_input_tokens: Number(row.cache_creation_input_tokens),
    cost_usd: Number(row.cost_usd),
    updated_at: Number(row.updated_at),
  }));
}
