import { describe, expect, it } from 'vitest';
import { MAX_NAMED_STATEMENTS, NAME_AFTER_USES, PgStatements } from './pg-statements.js';

describe('PgStatements', () => {
  it('names a text once it is used often, the same name after, and at most MAX_NAMED_STATEMENTS texts', () => {
    const s = new PgStatements();
    for (let i = 1; i < NAME_AFTER_USES; i++) expect(s.statement('SELECT 1').name).toBeUndefined();
    const name = s.statement('SELECT 1').name;
    expect(name).toMatch(/^ar_\d+$/);
    expect(s.statement('SELECT 1').name).toBe(name);
    for (let i = 0; i < MAX_NAMED_STATEMENTS + 5; i++) for (let n = 0; n < NAME_AFTER_USES; n++) s.statement(`SELECT ${i + 2}`);
    expect(s.named).toBe(MAX_NAMED_STATEMENTS);
    expect(s.statement('SELECT 1').name).toBe(name); // named ones stay named
    for (let i = 0; i < NAME_AFTER_USES; i++) expect(s.statement('SELECT 999999').name).toBeUndefined();
  });

  it('a stale plan gets the text a new name; a lost statement turns naming off; other errors are not recovered', () => {
    const s = new PgStatements();
    const use = () => s.statement('SELECT * FROM t');
    for (let i = 1; i < NAME_AFTER_USES; i++) use();
    const first = use();
    expect(s.recover(first, Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(s.recover({ text: 'x', name: undefined }, Object.assign(new Error('cached plan must not change result type'), { code: '0A000' }))).toBe(false);
    expect(s.recover(first, Object.assign(new Error('cached plan must not change result type'), { code: '0A000' }))).toBe(true);
    const renamed = use();
    expect(renamed.name).toMatch(/^ar_\d+$/);
    expect(renamed.name).not.toBe(first.name);
    expect(s.recover(renamed, Object.assign(new Error('prepared statement "ar_2" does not exist'), { code: '26000' }))).toBe(true);
    expect(use().name).toBeUndefined();
  });
});
