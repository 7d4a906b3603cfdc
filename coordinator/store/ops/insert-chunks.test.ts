import { describe, expect, it } from 'vitest';
import { CREATE_ROWS_PER_INSERT, insertChunks } from './create-session.js';

describe('insertChunks: how a batch of root sessions is split into multi-row INSERTs', () => {
  it('takes full chunks while it can, then powers of two, adding up to n', () => {
    expect(insertChunks(0)).toEqual([]);
    expect(insertChunks(1)).toEqual([1]);
    expect(insertChunks(137)).toEqual([128, 8, 1]);
    expect(insertChunks(CREATE_ROWS_PER_INSERT)).toEqual([CREATE_ROWS_PER_INSERT]);
    expect(insertChunks(1000)).toEqual([256, 256, 256, 128, 64, 32, 8]);
  });

  it('uses at most nine sizes, whatever the batch sizes (the statement caches keep them)', () => {
    const sizes = new Set<number>();
    for (let n = 1; n <= 1000; n++) {
      const chunks = insertChunks(n);
      expect(chunks.reduce((a, b) => a + b, 0)).toBe(n);
      for (const size of chunks) sizes.add(size);
    }
    expect([...sizes].sort((a, b) => a - b)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256]);
  });
});
