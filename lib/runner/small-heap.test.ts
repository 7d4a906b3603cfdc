import { describe, expect, it } from 'vitest';
import { favourSmallHeap } from './small-heap.js';

describe('favourSmallHeap', () => {
  it('leaves the heap alone when the operator decides either way', () => {
    expect(favourSmallHeap([], { NODE_OPTIONS: '--max-old-space-size=512 --optimize-for-size' })).toBe(false);
    expect(favourSmallHeap([], { NODE_OPTIONS: '--no-optimize-for-size' })).toBe(false);
    expect(favourSmallHeap(['--optimize_for_size'], {})).toBe(false);
  });

  it('favours a small heap otherwise, whatever else is tuned', () => {
    expect(favourSmallHeap(['--max-semi-space-size=8'], { NODE_OPTIONS: '--max-old-space-size=512' })).toBe(true);
  });
});
