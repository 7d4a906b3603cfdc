import type { BudgetHolder } from '../../budget/budget-rules.js';
import { BUDGET_HOLDER_COLUMNS, toBudgetHolder } from '../rows.js';
import type { SqlClient } from '../sql-client.js';
import { placeholders } from '../sql-client.js';

/**
 * The sessions among `ids` that carry a budget, deepest first. With `lock` (inside a transaction), their rows
 * are locked in that order, the order every writer of a session and its ancestors follows (upwards).
 */
export async function readBudgetHolders(sql: SqlClient, ids: readonly string[], lock = false): Promise<BudgetHolder[]> {
  if (ids.length === 0) return [];
  const rows = await sql.query(
    `SELECT ${BUDGET_HOLDER_COLUMNS} FROM sessions WHERE id IN (${placeholders(ids.length)}) AND budget IS NOT NULL ORDER BY depth DESC${lock ? sql.forUpdate() : ''}`,
    [...ids],
  );
  return rows.map(toBudgetHolder);
}
