import { describe, expect, it } from 'vitest';
import { describeRateLimitWait, utcClock } from '../../protocol/credential-profiles.js';
import { MAX_PARK_MS, MIN_PARK_MS, parkUntil, RATE_LIMIT_DEFAULT_WAIT_MS, restartAt } from './park-rules.js';
import { blockedExecutors, chooseProfile, type RoundRobinState } from './profile-choice.js';

const NOW = Date.UTC(2026, 11, 2, 12, 0);
const p = (name: string, weight = 1, executors: string[] | null = null, models: string[] | null = null) => ({ name, weight, executors, models });

describe('parkUntil', () => {
  it('takes retry_at within [MIN_PARK_MS, MAX_PARK_MS] from now; none or garbage waits the default', () => {
    expect(parkUntil(new Date(NOW + 60_000).toISOString(), NOW)).toBe(NOW + 60_000);
    expect(parkUntil(undefined, NOW)).toBe(NOW + RATE_LIMIT_DEFAULT_WAIT_MS);
    expect(parkUntil('not a time', NOW)).toBe(NOW + RATE_LIMIT_DEFAULT_WAIT_MS);
    expect(parkUntil(new Date(NOW - 1).toISOString(), NOW)).toBe(NOW + MIN_PARK_MS);
    expect(parkUntil('9999-12-31T23:59:59Z', NOW)).toBe(NOW + MAX_PARK_MS);
  });
});

describe('chooseProfile', () => {
  it('shares runs by weight, smoothly (a a b a … not a a a b)', () => {
    const state: RoundRobinState = new Map();
    const picks = Array.from({ length: 8 }, () => chooseProfile([p('a', 3), p('b', 1)], { executor: 'cc' }, null, [], state));
    expect(picks).toEqual(['a', 'a', 'b', 'a', 'a', 'a', 'b', 'a']);
  });

  it('skips parked profiles, says when all are parked, and null when none is for the run', () => {
    const parks = [{ profile: 'a', model: '', until: NOW + 1 }];
    expect(chooseProfile([p('a'), p('b')], { executor: 'cc' }, null, parks, new Map())).toBe('b');
    expect(chooseProfile([p('a')], { executor: 'cc' }, null, parks, new Map())).toBe('parked');
    expect(chooseProfile([p('a', 1, ['other'])], { executor: 'cc' }, null, [], new Map())).toBeNull();
    // A run without executor gets the profiles of the runner's default executor.
    expect(chooseProfile([p('a', 1, ['cc'])], { executor: null }, 'cc', [], new Map())).toBe('a');
    // A model park holds the profile back only for runs of that model; a profile's models bound the runs it takes.
    const modelPark = [{ profile: 'a', model: 'opus', until: NOW + 1 }];
    expect(chooseProfile([p('a')], { executor: 'cc', model: 'opus' }, null, modelPark, new Map())).toBe('parked');
    expect(chooseProfile([p('a')], { executor: 'cc', model: 'haiku' }, null, modelPark, new Map())).toBe('a');
    expect(chooseProfile([p('a', 1, null, ['haiku'])], { executor: 'cc', model: 'opus' }, null, [], new Map())).toBeNull();
  });

  it('blocks the executors whose every profile is parked, and unnamed runs when the default executor\'s are', () => {
    const runner = { executors: ['cc', 'sh'], credential_profiles: [p('a', 1, ['cc'])], default_executor: 'cc' };
    expect(blockedExecutors(runner, [{ profile: 'a', model: '', until: NOW + 1 }])).toEqual({ executors: ['cc'], unnamed: true });
    expect(blockedExecutors(runner, [])).toEqual({ executors: [], unnamed: false });
  });
});

describe('restartAt', () => {
  const run = { executor: 'cc', tags: [] };
  const runner = (id: string, profiles: ReturnType<typeof p>[]) => ({ id, executors: ['cc'], tags: [], credential_profiles: profiles, default_executor: null });
  it('now when an online runner serving the run has a free profile, else the earliest reset, else the run\'s own', () => {
    const parks = [{ profile: 'a', model: '', until: NOW + 9_000 }, { profile: 'b', model: '', until: NOW + 5_000 }];
    expect(restartAt(run, NOW + 9_000, [runner('r1', [p('a'), p('c')])], parks, NOW)).toBe(NOW);
    expect(restartAt(run, NOW + 9_000, [runner('r1', [p('a')]), runner('r2', [p('b')])], parks, NOW)).toBe(NOW + 5_000);
    expect(restartAt({ ...run, excluded_runners: ['r2'] }, NOW + 9_000, [runner('r1', [p('a')]), runner('r2', [p('b')])], parks, NOW)).toBe(NOW + 9_000);
    expect(restartAt(run, NOW + 9_000, [runner('r1', [])], parks, NOW)).toBe(NOW + 9_000);
  });
});

describe('describeRateLimitWait', () => {
  it('says until when and on which profile, only while parked', () => {
    expect(describeRateLimitWait({ parked_until: NOW + 80 * 60_000, park_profile: 'team-a' }, NOW)).toBe('waiting for rate limit until 13:20 UTC (profile team-a)');
    expect(describeRateLimitWait({ parked_until: NOW + 60_000, park_profile: null }, NOW)).toBe('waiting for rate limit until 12:01 UTC');
    expect(describeRateLimitWait({ parked_until: NOW, park_profile: 'a' }, NOW)).toBeNull();
    expect(describeRateLimitWait({ parked_until: null, park_profile: null }, NOW)).toBeNull();
    expect(utcClock(NOW + 24 * 3_600_000, NOW)).toBe('2026-12-03 12:00 UTC');
  });
});
