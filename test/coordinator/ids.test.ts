import { describe, expect, it } from 'vitest';
import { newId, newToken } from '../../coordinator/ids.js';

describe('ids', () => {
  it('are the prefix and 16 lowercase characters, never repeated, across many refills of the random pool', () => {
    const ids = Array.from({ length: 5_000 }, (_, i) => newId(i % 2 === 0 ? 'ses' : 'run'));
    for (const id of ids) expect(id).toMatch(/^(ses|run)_[a-z0-9]{16}$/);
    expect(new Set(ids.map((id) => id.slice(4))).size).toBe(ids.length);
  });

  it('tokens are 32 random bytes, base64url', () => {
    const [a, b] = [newToken(), newToken()];
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
  });
});
