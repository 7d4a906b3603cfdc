import type { Store } from '../store/store.js';
import type { SessionRecord } from '../types.js';
import type { BudgetHolder } from './budget-rules.js';

/**
 * The budgets on a session and its ancestors, deepest first: none read for a root without a budget (most
 * sessions), one indexed read otherwise.
 */
export async function treeBudgets(store: Pick<Store, 'readBudgetHolders'>, session: SessionRecord | null): Promise<BudgetHolder[]> {
  if (session === null || (session.budget === null && session.ancestors.length === 0)) return [];
  return store.readBudgetHolders([session.id, ...session.ancestors]);
}
