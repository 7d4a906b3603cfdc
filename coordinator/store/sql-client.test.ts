import { describe, expect, it } from 'vitest';
import { placeholders, toNumberedPlaceholders } from './sql-client.js';

describe('placeholders', () => {
  it('numbers ? for PostgreSQL', () => {
    expect(toNumberedPlaceholders('SELECT * FROM t WHERE a = ? AND b IN (?, ?)')).toBe('SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)');
    expect(placeholders(3)).toBe('?, ?, ?');
  });
});
