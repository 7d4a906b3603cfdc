/**
 * A PostgreSQL transaction's event rows go in one INSERT (coordinator/store/pending-events.ts): the rows of
 * a run's status change and of the executor events in the same report are written together, before the
 * next statement that names `events` (so the transaction reads what it stored) and before COMMIT. Counted
 * on the real PostgreSQL by a statement-level trigger.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgresClient } from '../../coordinator/store/postgres-client.js';
import type { EventRow } from '../../coordinator/store/pending-events.js';
import { insertEvents } from '../../coordinator/store/ops/insert-events.js';
import type { SqlClient } from '../../coordinator/store/sql-client.js';
import { freshDatabase, PG_URL } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** A schema of its own with an `events` table shaped like the coordinator's and a count of INSERT statements on it. */
async function open(): Promise<SqlClient> {
  const db = await freshDatabase('postgres');
  cleanups.push(db.drop);
  const sql = await openPostgresClient({ url: PG_URL, schema: db.databaseSchema!, poolSize: 2 });
  cleanups.push(() => sql.close());
  await sql.query(`CREATE TABLE events (session_id TEXT NOT NULL, seq INTEGER NOT NULL, run_id TEXT, run_seq INTEGER NOT NULL, type TEXT NOT NULL,
    data TEXT NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY (session_id, seq))`);
  await sql.query('CREATE TABLE inserts (n INTEGER NOT NULL)');
  await sql.query('INSERT INTO inserts (n) VALUES (0)');
  await sql.query('CREATE FUNCTION count_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE inserts SET n = n + 1; RETURN NULL; END $$');
  await sql.query('CREATE TRIGGER count_inserts AFTER INSERT ON events FOR EACH STATEMENT EXECUTE FUNCTION count_insert()');
  await sql.query('CREATE TABLE side (a TEXT)');
  return sql;
}

const row = (seq: number, type = 'message'): EventRow => ['ses_1', seq, 'run_1', seq, type, JSON.stringify({ type, text: `<b>${seq}</b>\u001b[2J` }), 1000 + seq];
const insertStatements = async (sql: SqlClient) => (await sql.query<{ n: number }>('SELECT n FROM inserts'))[0]!.n;
const stored = async (sql: SqlClient) => (await sql.query<{ seq: number; data: string }>("SELECT seq, data FROM events WHERE session_id = 'ses_1' ORDER BY seq")).map((r) => [r.seq, r.data]);

describe('event rows of a PostgreSQL transaction', () => {
  it('are written in one INSERT at commit, in order, however many calls added them', async () => {
    const sql = await open();
    await sql.transaction(async (tx) => {
      await insertEvents(tx, [row(1, 'run_status')]);
      await insertEvents(tx, [row(2), row(3)]);
      await insertEvents(tx, [row(4, 'run_status')]);
      expect(tx.pendingEvents?.size).toBe(4);
    });
    expect(await insertStatements(sql)).toBe(1);
    expect(await stored(sql)).toEqual([1, 2, 3, 4].map((seq) => [seq, row(seq, seq === 1 || seq === 4 ? 'run_status' : 'message')[5]]));
  });

  it('are written before a statement of the transaction that names events, which sees them', async () => {
    const sql = await open();
    const seen = await sql.transaction(async (tx) => {
      await insertEvents(tx, [row(1), row(2)]);
      await tx.query("INSERT INTO side (a) VALUES ('another table')");
      expect(tx.pendingEvents?.size).toBe(2);
      const [max] = await tx.query<{ seq: number }>("SELECT MAX(seq) AS seq FROM events WHERE session_id = 'ses_1'");
      expect(tx.pendingEvents?.size).toBe(0);
      await insertEvents(tx, [row(3)]);
      return max!.seq;
    });
    expect(seen).toBe(2);
    expect(await insertStatements(sql)).toBe(2);
    expect((await stored(sql)).map(([seq]) => seq)).toEqual([1, 2, 3]);
  });

  it('are not written when the transaction throws, and a refused row fails its whole transaction', async () => {
    const sql = await open();
    await expect(
      sql.transaction(async (tx) => {
        await insertEvents(tx, [row(1)]);
        throw new Error('the operation failed');
      }),
    ).rejects.toThrow('the operation failed');
    expect(await insertStatements(sql)).toBe(0);
    expect(await stored(sql)).toEqual([]);

    await insertEvents(sql, [row(1)]); // outside a transaction: at once
    expect(await insertStatements(sql)).toBe(1);
    await expect(
      sql.transaction(async (tx) => {
        await tx.query("INSERT INTO side (a) VALUES ('kept only with its events')");
        await insertEvents(tx, [row(2), row(1)]); // seq 1 is taken: refused at commit
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect((await stored(sql)).map(([seq]) => seq)).toEqual([1]);
    expect(await sql.query('SELECT a FROM side')).toEqual([]);
  });
});
