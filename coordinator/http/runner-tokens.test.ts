import { describe, expect, it } from 'vitest';
import type { RunnerRecord } from '../types.js';
import { RunnerTokens } from './runner-tokens.js';

const runner = (id: string) => ({ id }) as RunnerRecord;

describe('RunnerTokens', () => {
  it('answers a kept token until its TTL ends, and only that token', () => {
    const tokens = new RunnerTokens(1_000);
    tokens.keep('rnr_a.secret', runner('rnr_a'), tokens.epoch, 0);
    expect(tokens.get('rnr_a', 'rnr_a.secret', 999)?.id).toBe('rnr_a');
    expect(tokens.get('rnr_a', 'rnr_a.other', 999)).toBeUndefined();
    expect(tokens.get('rnr_a', 'rnr_a.secre', 999)).toBeUndefined();
    expect(tokens.get('rnr_b', 'rnr_a.secret', 999)).toBeUndefined();
    expect(tokens.get('rnr_a', 'rnr_a.secret', 1_000)).toBeUndefined();
    expect(tokens.size).toBe(0);
  });

  it('forgets a runner at once, and a check that read the store before the forget keeps nothing', () => {
    const tokens = new RunnerTokens(1_000);
    tokens.keep('rnr_a.s', runner('rnr_a'), tokens.epoch, 0);
    const before = tokens.epoch; // a check reads the store…
    tokens.forget('rnr_a'); // …while the runner deregisters
    expect(tokens.get('rnr_a', 'rnr_a.s', 1)).toBeUndefined();
    tokens.keep('rnr_a.s', runner('rnr_a'), before, 2);
    expect(tokens.get('rnr_a', 'rnr_a.s', 3)).toBeUndefined();
    tokens.keep('rnr_a.s', runner('rnr_a'), tokens.epoch, 4);
    expect(tokens.get('rnr_a', 'rnr_a.s', 5)?.id).toBe('rnr_a');
  });

  it('drops the tokens of runners gone silent once a TTL has passed', () => {
    const tokens = new RunnerTokens(1_000);
    for (let i = 0; i < 10; i++) tokens.keep(`rnr_${i}.s`, runner(`rnr_${i}`), tokens.epoch, 0);
    tokens.keep('rnr_new.s', runner('rnr_new'), tokens.epoch, 1_500);
    expect(tokens.size).toBe(1);
  });
});
