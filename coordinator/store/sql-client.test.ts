import { describe, expect, it } from 'vitest';
import { forUpdateClause, placeholders, toNumberedPlaceholders } from './sql-client.js';

describe('placeholders', () => {
  it('numbers ? for PostgreSQL', () => {
    expect(toNumberedPlaceholders('SELECT * FROM t WHERE a = ? AND b IN (?, ?)')).toBe('SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)');
    expect(placeholders(3)).toBe('?, ?, ?');
  });
});

describe('forUpdateClause', () => {
  it('locks rows, optionally of one table and skipping held ones', () => {
    expect(forUpdateClause()).toBe(' FOR UPDATE');
    expect(forUpdateClause({ skipLocked: true })).toBe(' FOR UPDATE SKIP LOCKED');
    expect(forUpdateClause({ of: 'runs', skipLocked: true })).toBe(' FOR UPDATE OF runs SKIP LOCKED');
  });
});
