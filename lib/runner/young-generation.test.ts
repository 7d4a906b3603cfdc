import { describe, expect, it } from 'vitest';
import { capYoungGeneration } from './young-generation.js';

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
