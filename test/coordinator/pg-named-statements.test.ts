/**
 * Named (prepared) statements on the real PostgreSQL (coordinator/store/pg-statements.ts): a statement used
 * often is prepared on the connection; another replica's migration that changes a table under a
 * `SELECT *` makes PostgreSQL refuse the cached plan, and the statement (alone, or the transaction it is
 * in) runs again under a new name and sees the new column; a connection that lost its prepared statements
 * (a pooler in transaction mode) turns naming off and the statement still runs.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgresClient } from '../../coordinator/store/postgres-client.js';
import { NAME_AFTER_USES } from '../../coordinator/store/pg-statements.js';
import type { SqlClient } from '../../coordinator/store/sql-client.js';
import { freshDatabase, PG_URL } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** One pooled connection (so every statement meets the same prepared ones) on a schema of its own, with a table `t`. */
async function open(): Promise<{ sql: SqlClient; admin: pg.Client; schema: string }> {
  const db = await freshDatabase('postgres');
  cleanups.push(db.drop);
  const sql = await openPostgresClient({ url: PG_URL, schema: db.databaseSchema!, poolSize: 1 });
  cleanups.push(() => sql.close());
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  cleanups.push(() => admin.end());
  await sql.query('CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT)');
  await sql.query("INSERT INTO t (id, a) VALUES (1, 'one')");
  return { sql, admin, schema: db.databaseSchema! };
}

/** The statements prepared on the backends of this test's schema's connections. */
async function prepared(sql: SqlClient): Promise<string[]> {
  const rows = await sql.query<{ name: string }>('SELECT name FROM pg_prepared_statements ORDER BY name');
  return rows.map((r) => r.name);
}

describe('named statements on PostgreSQL', () => {
  it('a statement used often is prepared; a migration under its SELECT * is met by a new name, alone and in a transaction', async () => {
    const { sql, admin, schema } = await open();
    const read = () => sql.query<Record<string, unknown>>('SELECT * FROM t WHERE id = ?', [1]);
    for (let i = 0; i < NAME_AFTER_USES + 2; i++) expect(await read()).toEqual([{ id: 1, a: 'one' }]);
    expect(await prepared(sql)).toHaveLength(1);

    // Another replica's migration: the prepared plan's result type is now wrong.
    await admin.query(`ALTER TABLE "${schema}".t ADD COLUMN b TEXT NOT NULL DEFAULT 'new'`);
    expect(await read()).toEqual([{ id: 1, a: 'one', b: 'new' }]);

    await admin.query(`ALTER TABLE "${schema}".t ADD COLUMN c INTEGER NOT NULL DEFAULT 7`);
    let tries = 0;
    const inTx = await sql.transaction(async (tx) => {
      tries += 1;
      await tx.query("UPDATE t SET a = 'changed' WHERE id = 1");
      return tx.query<Record<string, unknown>>('SELECT * FROM t WHERE id = ?', [1]);
    });
    expect(inTx).toEqual([{ id: 1, a: 'changed', b: 'new', c: 7 }]);
    expect(tries).toBe(2); // the first try met the stale plan and was rolled back whole
    expect((await sql.query<{ n: number }>("SELECT COUNT(*)::int AS n FROM t WHERE a = 'changed'"))[0]!.n).toBe(1);
  });

  it('statements lost by the connection (a pooler in transaction mode) turn naming off; the statement still runs', async () => {
    const { sql } = await open();
    const read = () => sql.query<{ a: string }>('SELECT a FROM t WHERE id = ?', [1]);
    for (let i = 0; i < NAME_AFTER_USES + 1; i++) await read();
    expect(await prepared(sql)).not.toHaveLength(0);
    await sql.query('DEALLOCATE ALL'); // what a new server connection behind a pooler looks like
    expect(await read()).toEqual([{ a: 'one' }]);
    for (let i = 0; i < NAME_AFTER_USES + 1; i++) await sql.query('SELECT id FROM t WHERE a = ?', ['one']);
    expect(await prepared(sql)).toEqual([]);
  });

  it('an error that is not about a named statement is thrown as it is, and a transaction is not run again for it', async () => {
    const { sql } = await open();
    let tries = 0;
    const failing = sql.transaction(async (tx) => {
      tries += 1;
      await tx.query('INSERT INTO t (id, a) VALUES (?, ?)', [1, 'again']);
    });
    await expect(failing).rejects.toMatchObject({ code: '23505' });
    expect(tries).toBe(1);
  });
});
