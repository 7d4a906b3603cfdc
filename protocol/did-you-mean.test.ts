import { describe, expect, it } from 'vitest';
import { closestName, didYouMean, editDistance } from './did-you-mean.js';

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and neighbour swaps as one edit each', () => {
    expect(editDistance('executor', 'executor')).toBe(0);
    expect(editDistance('exectuor', 'executor')).toBe(1);
    expect(editDistance('timout_s', 'timeout_s')).toBe(1);
    expect(editDistance('tag', 'tags')).toBe(1);
    expect(editDistance('modal', 'model')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('abc', '')).toBe(3);
  });
});

describe('closestName', () => {
  const fields = ['name', 'description', 'system_prompt', 'executor', 'tags', 'model', 'timeout_s'];

  it('suggests the field a typo was meant to be', () => {
    expect(closestName('exectuor', fields)).toBe('executor');
    expect(closestName('timout_s', fields)).toBe('timeout_s');
    expect(closestName('Model', fields)).toBe('model');
    expect(closestName('systemprompt', fields)).toBe('system_prompt');
  });

  it('suggests nothing for a word that is not a typo of any, nor for an exact match', () => {
    expect(closestName('team', fields)).toBeUndefined();
    expect(closestName('typo', ['reviewer', 'writer'])).toBeUndefined();
    expect(closestName('x', ['y'])).toBeUndefined();
    expect(closestName('model', fields)).toBeUndefined();
    expect(closestName('anything', [])).toBeUndefined();
    expect(closestName('e'.repeat(100_000), fields)).toBeUndefined();
  });

  it('takes the closest of several, the first of equally close ones', () => {
    expect(closestName('reviewr', ['review', 'reviewer'])).toBe('review');
    expect(closestName('reviewerr', ['review', 'reviewer'])).toBe('reviewer');
  });

  it('phrases the suggestion, or nothing', () => {
    expect(didYouMean('reviwer', ['reviewer'])).toBe(' (did you mean "reviewer"?)');
    expect(didYouMean('zzz', ['reviewer'])).toBe('');
  });
});
