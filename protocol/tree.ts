/** The tree of sessions: usage totals, budgets, and `GET /v1/sessions/:id/tree`. */
import { z } from 'zod';
import { isoTime } from './fields.js';
import { MAX_TREE_DEPTH, MAX_TREE_NODES } from './limits.js';
import { SessionStatusSchema } from './statuses.js';
import { BudgetLeftSchema } from './budget-left.js';
import './zod-config.js';

/** Tokens and cost summed over runs (a session's own, its subtree's, an agent's, an executor's). */
export const UsageTotalsSchema = z.looseObject({
  input_tokens: z.number(),
  output_tokens: z.number(),
  cache_read_input_tokens: z.number(),
  cache_creation_input_tokens: z.number(),
  cost_usd: z.number(),
});
export type UsageTotals = z.infer<typeof UsageTotalsSchema>;

export const ZERO_USAGE: UsageTotals = { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0, cost_usd: 0 };

/** Tokens a budget counts: input and output, cache reads and writes included. */
export const totalTokens = (u: UsageTotals): number => u.input_tokens + u.output_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens;

const positive = (what: string, unit: string) =>
  z.number({ message: `${what} must be a number (${unit})` }).positive({ message: `${what} must be more than 0 ${unit}` });
const count = (what: string, min: number) =>
  z.int({ message: `${what} must be a whole number` }).min(min, { message: `${what} must be at least ${min}` });

/**
 * Limits on a tree of sessions (the session it is given to and every descendant). `usd`, `tokens`,
 * `wall_s` stop the tree when passed; `max_depth` (levels below the budget's session), `max_children`
 * (per session) and `max_sessions` (in the subtree, itself included) refuse a child before it is created.
 */
export const BudgetSchema = z
  .strictObject({
    usd: positive('budget.usd', 'US dollars').max(1e6, { message: 'budget.usd must be at most 1000000' }).optional(),
    tokens: count('budget.tokens', 1).max(1e12).optional(),
    wall_s: count('budget.wall_s', 1).max(604_800, { message: 'budget.wall_s must be at most 604800 (7 days)' }).optional(),
    max_depth: count('budget.max_depth', 0).max(MAX_TREE_DEPTH, { message: `budget.max_depth must be at most ${MAX_TREE_DEPTH}` }).optional(),
    max_children: count('budget.max_children', 0).max(100_000).optional(),
    max_sessions: count('budget.max_sessions', 1).max(1_000_000).optional(),
  })
  .describe('Limits on a tree of sessions: spending and wall time stop it, shape limits refuse children.');
export type Budget = z.infer<typeof BudgetSchema>;

export { BudgetLeftSchema, type BudgetLeft } from './budget-left.js';

/** A session's budget figures as `GET /v1/sessions/:id` shows them: what is left, and the tightest limit of each kind. */
export const BudgetStatusSchema = BudgetLeftSchema.extend({
  /** Levels still allowed below this session, children it may still start, sessions its tree may still add. */
  max_depth: z.number().min(0).optional(),
  max_children: z.number().min(0).optional(),
  max_sessions: z.number().min(0).optional(),
  /** The budgets that apply (the session's own and its ancestors'), each with its subtree's usage so far. */
  budgets: z.array(
    z.looseObject({
      session_id: z.string(),
      budget: BudgetSchema,
      used: z.looseObject({ usd: z.number(), tokens: z.number(), wall_s: z.number(), sessions: z.number() }),
    }),
  ),
});
export type BudgetStatus = z.infer<typeof BudgetStatusSchema>;

/** Why the coordinator stopped a tree: which budget, which limit, its value and what was used. */
export const StopReasonSchema = z.looseObject({
  reason: z.literal('budget_exceeded'),
  limit: z.enum(['usd', 'tokens', 'wall_s']),
  limit_value: z.number(),
  used: z.number(),
  /** The session whose budget was passed (the stopped subtree's top). */
  session_id: z.string(),
  at: isoTime,
});
export type StopReason = z.infer<typeof StopReasonSchema>;

/** `GET /v1/sessions/:id/tree`: how deep below the session, and how many nodes at most (breadth first). */
export const TreeQuerySchema = z.strictObject({
  depth: z.coerce.number().int({ message: 'depth must be a whole number' }).min(0, { message: 'depth must be at least 0' }).max(MAX_TREE_DEPTH).optional(),
  limit: z.coerce.number().int({ message: 'limit must be a whole number' }).min(1, { message: 'limit must be at least 1' }).max(MAX_TREE_NODES).optional(),
});

/** One session in a tree, with its children (those within the depth and node limits). */
export interface TreeNode {
  session_id: string;
  parent_session_id: string | null;
  depth: number;
  agent: string | null;
  executor: string | null;
  status: z.infer<typeof SessionStatusSchema>;
  runner_id: string | null;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
  duration_ms: number | null;
  attempts: number;
  runs: number;
  /** The seq of its last event (a follower that has it has seen all the session's events). */
  last_event_seq: number;
  /** Its own usage over all its runs, and its subtree's (itself and every descendant). */
  totals: UsageTotals;
  tree_totals: UsageTotals;
  children_count: number;
  descendants_count: number;
  /** Children left out by the depth or node limit. */
  children_omitted: number;
  children: TreeNode[];
  /** A question or approval of it is open (absent from coordinators before questions). */
  waiting_for_input?: boolean | undefined;
  /** Its latest run is parked for a rate limit: "waiting for rate limit until 21:20 UTC (profile team-a)" (null: not; absent before issue 18). */
  rate_limit_wait?: string | null | undefined;
}

export const TreeNodeSchema: z.ZodType<TreeNode> = z.lazy(() =>
  z.looseObject({
    session_id: z.string(),
    parent_session_id: z.string().nullable(),
    depth: z.number(),
    agent: z.string().nullable(),
    executor: z.string().nullable(),
    status: SessionStatusSchema,
    runner_id: z.string().nullable(),
    created_at: isoTime,
    started_at: isoTime.nullable(),
    ended_at: isoTime.nullable(),
    duration_ms: z.number().nullable(),
    attempts: z.number(),
    runs: z.number(),
    last_event_seq: z.number(),
    totals: UsageTotalsSchema,
    tree_totals: UsageTotalsSchema,
    children_count: z.number(),
    descendants_count: z.number(),
    children_omitted: z.number(),
    children: z.array(TreeNodeSchema),
    waiting_for_input: z.boolean().optional(),
    rate_limit_wait: z.string().nullable().optional(),
  }),
) as z.ZodType<TreeNode>;

/** `GET /v1/sessions/:id/tree`: the tree, its totals, and whether nodes were left out. */
export const SessionTreeSchema = z.looseObject({
  root: TreeNodeSchema,
  root_session_id: z.string(),
  nodes: z.number(),
  truncated: z.boolean(),
  /** Sessions of the subtree queued or running, and callbacks waiting to be delivered in it: 0 and 0 means quiet. */
  in_flight: z.number(),
  callbacks_waiting: z.number(),
  /** Questions and approvals open in the subtree (absent from coordinators before questions). */
  questions_open: z.number().optional(),
  /** Nothing in flight, no callback waiting, no question open: the tree will not move unless someone resumes a session of it. */
  quiet: z.boolean(),
});
export type SessionTree = z.infer<typeof SessionTreeSchema>;
