import { countRunUsage, needsCostBase, storedRunUsage, USAGE_COUNTERS, type CountedRunUsage } from '../../rules/run-usage.js';
import type { UsageTotals } from '../../../protocol/tree.js';
import type { RunRecord } from '../../types.js';
import type { SqlClient } from '../sql-client.js';

/** Earlier runs looked at for an executor session's cost counted so far (a resume right after its start finds it in the first). */
const COST_BASE_LOOKBACK = 20;

/**
 * What earlier runs of the run's session counted of an executor-session cost (Claude Code's cumulative
 * `cost_usd`): the figure the latest of them reported. A `start` run begins a new executor session: 0.
 */
async function executorSessionCostBase(tx: SqlClient, run: RunRecord): Promise<number> {
  if (run.mode === 'start') return 0;
  const rows = await tx.query<{ usage: unknown }>(
    `SELECT usage FROM runs WHERE session_id = ? AND usage IS NOT NULL AND id <> ?
       AND seq < (SELECT seq FROM runs WHERE id = ?) ORDER BY seq DESC LIMIT ${COST_BASE_LOOKBACK}`,
    [run.session_id, run.id, run.id],
  );
  for (const row of rows) {
    const earlier = storedRunUsage(JSON.parse(String(row.usage)) as Record<string, unknown>);
    if (earlier?.executor_session_cost_usd !== undefined) return earlier.executor_session_cost_usd;
  }
  return 0;
}

/**
 * Count a run's usage event (its attempt's totals so far) against what the run counted before (`runs.usage`).
 * @returns the run's new `runs.usage` and what the report adds to the totals (see countRunUsage).
 */
export async function countUsageEvent(
  tx: SqlClient,
  run: RunRecord,
  event: Record<string, unknown>,
): Promise<{ counted: CountedRunUsage; delta: UsageTotals }> {
  const previous = storedRunUsage(run.usage);
  const base = needsCostBase(previous, event) ? await executorSessionCostBase(tx, run) : 0;
  return countRunUsage(previous, run.attempt, event, base);
}

/** `col = col + ?` for every counter, with `prefix` (`''` or `'tree_'`). */
export function addCounters(prefix: '' | 'tree_'): string {
  return USAGE_COUNTERS.map((c) => `${prefix}${c} = ${prefix}${c} + ?`).join(', ');
}

/** A delta's figures in USAGE_COUNTERS order, for addCounters. */
export function counterValues(delta: UsageTotals): number[] {
  return USAGE_COUNTERS.map((c) => delta[c]);
}

/**
 * Add a delta to the subtree totals of a session's ancestors, one row at a time from its parent up to the
 * root (the order of create-session.ts' countInAncestors: the session's own row is written before, by the
 * caller), so writers of one tree never wait for each other in a circle.
 * @returns the ancestors that have a budget (their tree totals changed).
 */
export async function addToAncestors(tx: SqlClient, ancestors: readonly string[], delta: UsageTotals, now: number): Promise<string[]> {
  const budgeted: string[] = [];
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const rows = await tx.query<{ budget: unknown }>(`UPDATE sessions SET ${addCounters('tree_')}, updated_at = ? WHERE id = ? RETURNING budget`, [
      ...counterValues(delta),
      now,
      ancestors[i],
    ]);
    if (rows[0] !== undefined && rows[0].budget !== null && rows[0].budget !== undefined) budgeted.push(ancestors[i]!);
  }
  return budgeted;
}

/**
 * Add a delta to the totals of an agent and of an executor (`usage_totals`), one upsert each, agent first.
 * A session without an agent counts under the agent name `''` (shown as none).
 * Written last in a transaction, after every session row it writes, so no transaction holds these rows while
 * it waits for a session's.
 */
export async function addUsageTotals(tx: SqlClient, agent: string | null, executor: string | null, delta: UsageTotals, now: number, runs: number): Promise<void> {
  const scopes: Array<[string, string]> = [['agent', agent ?? '']];
  if (executor !== null) scopes.push(['executor', executor]);
  for (const [scope, name] of scopes) {
    await tx.query(
      `INSERT INTO usage_totals (scope, name, runs, ${USAGE_COUNTERS.join(', ')}, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (scope, name) DO UPDATE SET runs = usage_totals.runs + excluded.runs,
         ${USAGE_COUNTERS.map((c) => `${c} = usage_totals.${c} + excluded.${c}`).join(', ')}, updated_at = excluded.updated_at`,
      [scope, name, runs, ...counterValues(delta), now],
    );
  }
}
