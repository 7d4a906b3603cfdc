import { describe, expect, it } from 'vitest';
import { capYoungGeneration, growYoungGenerationAtOnce } from './young-generation.js';

describe('capYoungGeneration', () => {
  it('leaves the young generation alone when the operator tunes it', () => {
    expect(capYoungGeneration([], { NODE_OPTIONS: '--max-semi-space-size=32' })).toBe(false);
    expect(capYoungGeneration(['--max_semi_space_size=8'], {})).toBe(false);
    expect(capYoungGeneration(['--semi-space-growth-factor=4'], {})).toBe(false);
  });

  it('caps it otherwise', () => {
    expect(capYoungGeneration([], {})).toBe(true);
  });
});

describe('growYoungGenerationAtOnce', () => {
  it('leaves the young generation alone when the operator tunes it, and grows it at once otherwise', () => {
    expect(growYoungGenerationAtOnce([], { NODE_OPTIONS: '--min-semi-space-size=4' })).toBe(false);
    expect(growYoungGenerationAtOnce(['--semi_space_growth_factor=2'], {})).toBe(false);
    expect(growYoungGenerationAtOnce([], {})).toBe(true);
  });
});
