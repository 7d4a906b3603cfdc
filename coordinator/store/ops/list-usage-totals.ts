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

/** One agent's sessions created since a time, and what they cost (their own runs, not their trees'). */
export interface AgentUsageSince {
  /** The agent's name; `''` for sessions started without one. */
  name: string;
  sessions: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
}

/** Per agent, the sessions created at or after `since` (ms) and their usage, by cost (highest first). */
export async function sumAgentUsageSince(sql: SqlClient, since: number): Promise<AgentUsageSince[]> {
  const rows = await sql.query(
    `SELECT COALESCE(agent, '') AS name, COUNT(*) AS sessions, SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens, SUM(cost_usd) AS cost_usd
       FROM sessions WHERE created_at >= ? GROUP BY COALESCE(agent, '') ORDER BY SUM(cost_usd) DESC, COALESCE(agent, '')`,
    [since],
  );
  return rows.map((row) => ({
    name: String(row.name),
    sessions: Number(row.sessions),
    input_tokens: Number(row.input_tokens ?? 0),
    output_tokens: Number(row.output_tokens ?? 0),
    cost_usd: Number(row.cost_usd ?? 0),
  }));
}
