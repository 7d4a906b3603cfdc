import type { BudgetHolder } from '../../budget/budget-rules.js';
import type { SqlClient } from '../sql-client.js';
import { readBudgetHolders } from './read-budget-holders.js';

/**
 * The budgets not yet passed with something in flight under them (or on them): the sessions with a
 * budget among the queued and running sessions (at most `max` of them, oldest first) and their ancestors.
 * Two indexed reads, never a scan of every session (status index, primary key).
 */
export async function listBudgetsInFlight(sql: SqlClient, max: number): Promise<BudgetHolder[]> {
  const rows = await sql.query<{ id: string; ancestors: string }>(
    "SELECT id, ancestors FROM sessions WHERE status IN ('queued', 'running') ORDER BY seq LIMIT ?",
    [max],
  );
  const ids = new Set<string>();
  for (const row of rows) {
    ids.add(row.id);
    for (const ancestor of JSON.parse(row.ancestors) as string[]) ids.add(ancestor);
  }
  const holders = await readBudgetHolders(sql, [...ids]);
  return holders.filter((holder) => holder.stop_reason === null);
}
