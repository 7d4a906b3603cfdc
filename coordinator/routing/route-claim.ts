/**
 * The model of a run, chosen when it is claimed (what its tree's budget has left is current then): the
 * routing rules over its agent, tags, depth, kind and budget left, else its blueprint's own. Handed to its
 * runner in the assignment; noted on the run (`runs.model`, `runs.models`) when the runner reports the start
 * with the model it gave the executor.
 */
import type { AgentDocument } from '../../protocol/agents.js';
import type { ModelChoice } from '../../protocol/routing.js';
import type { BudgetLeft } from '../../protocol/tree.js';
import { budgetFractionLeft, budgetLeft } from '../budget/budget-rules.js';
import { treeBudgets } from '../budget/tree-budgets.js';
import type { Store } from '../store/store.js';
import type { RunRecord, SessionRecord } from '../types.js';
import type { RoutingTable } from './routing-table.js';

/** What routing needs of a coordinator: the rules in use, the models parked now, and the store. */
export interface RoutingContext {
  store: Store;
  routing: RoutingTable;
  /** Models parked by rate limits: left out of every list. */
  unavailableModels: () => Promise<ReadonlySet<string>>;
}

/** A claimed run's budget figures and model, as its assignment carries them. */
export interface ClaimRouting {
  budget: BudgetLeft | null;
  choice: ModelChoice;
}

/**
 * Choose the model of a run just claimed; `run` is updated in place (for its assignment), nothing is written.
 * A run without an agent has no blueprint to carry a model to its executor: it is not routed.
 */
export async function routeClaim(ctx: RoutingContext, run: RunRecord, session: SessionRecord | null, agent: AgentDocument | null): Promise<ClaimRouting> {
  const now = Date.now();
  const holders = await treeBudgets(ctx.store, session);
  const budget = holders.length === 0 ? null : budgetLeft(holders, now);
  if (agent === null) return { budget, choice: { model: null, models: [], rule: null, reason: 'the session has no agent' } };
  const choice = ctx.routing.choose(
    { agent: session?.agent ?? null, tags: run.tags, depth: session?.depth ?? 0, kind: session?.kind ?? null, budgetLeft: budgetFractionLeft(holders, now) },
    agent,
    await ctx.unavailableModels(),
  );
  // Written nowhere now: the assignment carries it, and the runner's `started` report notes on the run the
  // model it gave the executor, in the start's own UPDATE (a claim costs no statement more for routing).
  if (choice.model !== null) {
    run.model = choice.model;
    run.models = choice.models;
  }
  return { budget, choice };
}
