import { describe, expect, it } from 'vitest';
import { backoffCeiling, backoffDelay, sleep } from './backoff.js';

describe('backoff', () => {
  const policy = { baseMs: 100, maxMs: 500 };

  it('doubles per attempt up to the cap', () => {
    expect([1, 2, 3, 4, 10].map((a) => backoffCeiling(a, policy))).toEqual([100, 200, 400, 500, 500]);
    expect(backoffCeiling(10_000, { baseMs: 1, maxMs: 60_000 })).toBe(60_000);
  });

  it('grows exponentially up to the cap, with full jitter', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, policy, () => 1))).toEqual([100, 200, 400, 500]);
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(200);
    for (let i = 0; i < 100; i++) expect(backoffDelay(2, policy)).toBeLessThanOrEqual(200);
  });

  it('sleeps until aborted', async () => {
    const controller = new AbortController();
    const slept = sleep(60_000, controller.signal);
    controller.abort();
    await expect(slept).resolves.toBeUndefined();
  });
});
