/** What a tree of sessions has left to spend, as one run is told it (`metadata.budget` of the invocation). */
import { z } from 'zod';
import './zod-config.js';

/**
 * What a tree has left for one session's runs: the least, over every budget on the session and its
 * ancestors, of what that budget's subtree may still spend (`usd`, `tokens`) and how long it may still run
 * (`wall_s`). Absent fields are unlimited. Sent to each run in the invocation's `metadata.budget`.
 */
export const BudgetLeftSchema = z
  .looseObject({
    usd: z.number().min(0).optional(),
    tokens: z.number().min(0).optional(),
    wall_s: z.number().min(0).optional(),
  })
  .describe('What the session\'s tree has left to spend: the least over every budget on it and its ancestors; absent: unlimited.');
export type BudgetLeft = z.infer<typeof BudgetLeftSchema>;
