import { describe, expect, it } from 'vitest';
import { MAX_RUN_COST_USD, MAX_RUN_TOKENS } from '../../protocol/limits.js';
import { ZERO_USAGE } from '../../protocol/tree.js';
import { countRunUsage, needsCostBase } from './run-usage.js';

const usage = (fields: Record<string, unknown>) => ({ type: 'usage', ...fields });
const claude = (cost: number) => usage({ input_tokens: 10, cost_usd: cost, cost_scope: 'executor_session' });

describe('countRunUsage', () => {
  it('adds only the difference to the attempt\'s previous report, and never takes back', () => {
    const first = countRunUsage(null, 1, usage({ input_tokens: 10, output_tokens: 2, cost_usd: 0.01 }));
    expect(first.delta).toEqual({ ...ZERO_USAGE, input_tokens: 10, output_tokens: 2, cost_usd: 0.01 });
    const second = countRunUsage(first.counted, 1, usage({ input_tokens: 25, output_tokens: 1, cost_usd: 0.03 }));
    expect(second.delta).toEqual({ ...ZERO_USAGE, input_tokens: 15, cost_usd: 0.03 - 0.01 });
    expect(second.counted).toMatchObject({ attempt: 1, input_tokens: 25, output_tokens: 2, cost_usd: 0.03 });
  });

  it('a new attempt starts from 0 and adds on top', () => {
    const first = countRunUsage(null, 1, usage({ input_tokens: 10 }));
    const retry = countRunUsage(first.counted, 2, usage({ input_tokens: 4 }));
    expect(retry.delta.input_tokens).toBe(4);
    expect(retry.counted).toMatchObject({ attempt: 2, input_tokens: 4 });
  });

  it('counts what is not a count as 0 and caps what is too large', () => {
    const { delta } = countRunUsage(null, 1, usage({ input_tokens: -1, output_tokens: 'x', cache_read_input_tokens: Infinity, cache_creation_input_tokens: 1e30, cost_usd: NaN }));
    expect(delta).toEqual({ ...ZERO_USAGE, cache_creation_input_tokens: MAX_RUN_TOKENS });
    expect(countRunUsage(null, 1, usage({ cost_usd: 1e300 })).delta.cost_usd).toBe(MAX_RUN_COST_USD);
  });

  it('an executor-session cost counts the part above the base, which the run keeps for its later reports and attempts', () => {
    expect(needsCostBase(null, claude(0.02))).toBe(true);
    expect(needsCostBase(null, usage({ cost_usd: 0.02 }))).toBe(false);
    const first = countRunUsage(null, 1, claude(0.02), 0.0125);
    expect(first.counted).toMatchObject({ cost_base_usd: 0.0125, executor_session_cost_usd: 0.02 });
    expect(first.delta.cost_usd).toBeCloseTo(0.0075, 12);
    expect(needsCostBase(first.counted, claude(0.03))).toBe(false);
    const later = countRunUsage(first.counted, 1, claude(0.03));
    expect(later.delta.cost_usd).toBeCloseTo(0.01, 12);
    // A partial report without cost keeps what was counted.
    expect(countRunUsage(later.counted, 1, usage({ input_tokens: 12, partial: true })).delta).toEqual({ ...ZERO_USAGE, input_tokens: 2 });
    // A retry of the run: its figure is counted above the same base.
    const retry = countRunUsage(later.counted, 2, claude(0.02));
    expect(retry.delta.cost_usd).toBeCloseTo(0.0075, 12);
    // A figure below the base (Claude did not restore the session's cost) counts 0.
    expect(countRunUsage(null, 1, claude(0.01), 0.0125).delta.cost_usd).toBe(0);
  });
});
