import { describe, expect, it } from 'vitest';
import { parseBudgetFlags, type BudgetFlags } from './budget-flags.js';
import { CliError } from './cli-error.js';

/** The usage error parseBudgetFlags throws for these flags (exit code 2 and its message). */
function refusal(flags: BudgetFlags): { exitCode: number; message: string } {
  try {
    parseBudgetFlags(flags);
  } catch (error) {
    if (error instanceof CliError) return { exitCode: error.exitCode, message: error.message };
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(flags)}`);
}

describe('run budget flags: --budget-usd --budget-tokens --max-wall --max-depth --max-children --max-sessions', () => {
  it('turns good values into the session budget (none without a flag)', () => {
    expect(parseBudgetFlags({})).toBeUndefined();
    expect(parseBudgetFlags({ budgetUsd: '5', budgetTokens: '200000', maxWall: '10m', maxDepth: '3', maxChildren: '0', maxSessions: '50' })).toEqual({
      usd: 5, tokens: 200_000, wall_s: 600, max_depth: 3, max_children: 0, max_sessions: 50,
    });
    expect(parseBudgetFlags({ budgetUsd: '$0.25', maxWall: '90' })).toEqual({ usd: 0.25, wall_s: 90 });
    expect(parseBudgetFlags({ budgetUsd: '.5', maxWall: '1500ms', maxDepth: '0' })).toEqual({ usd: 0.5, wall_s: 2, max_depth: 0 });
  });

  it.each([
    [{ budgetUsd: '0' }, '--budget-usd: 0 is out of range (more than 0, at most 1000000)'],
    [{ budgetUsd: '-5' }, '--budget-usd: "-5" is not an amount of US dollars (e.g. 5 or 0.25)'],
    [{ budgetUsd: 'five' }, '--budget-usd: "five" is not an amount of US dollars (e.g. 5 or 0.25)'],
    [{ budgetUsd: '1e3' }, '--budget-usd: "1e3" is not an amount of US dollars (e.g. 5 or 0.25)'],
    [{ budgetUsd: '2000000' }, '--budget-usd: 2000000 is out of range (more than 0, at most 1000000)'],
    [{ budgetTokens: '0' }, '--budget-tokens: 0 is out of range (1 to 1000000000000)'],
    [{ budgetTokens: '1.5' }, '--budget-tokens: "1.5" is not a whole number (1 to 1000000000000)'],
    [{ maxWall: '5x' }, '--max-wall: "5x" is not a duration (use e.g. 500ms, 30s, 5m, 1h30m)'],
    [{ maxWall: '0' }, '--max-wall: "0" must be longer than 0'],
    [{ maxWall: '200h' }, '--max-wall: "200h" is longer than the most allowed, 7d (168h)'],
    [{ maxDepth: '-1' }, '--max-depth: "-1" is not a whole number (0 to 1000)'],
    [{ maxDepth: '1001' }, '--max-depth: 1001 is out of range (0 to 1000)'],
    [{ maxChildren: 'many' }, '--max-children: "many" is not a whole number (0 to 100000)'],
    [{ maxSessions: '0' }, '--max-sessions: 0 is out of range (1 to 1000000)'],
  ])('refuses %j with a usage error naming the flag', (flags, message) => {
    expect(refusal(flags)).toEqual({ exitCode: 2, message });
  });
});
