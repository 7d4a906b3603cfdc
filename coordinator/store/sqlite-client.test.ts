import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openFds } from '../../test/helpers/fixtures.js';
import type { SqlClient } from './sql-client.js';
import { openSqliteClient, SQLITE_CACHE_KIB } from './sqlite-client.js';

describe('the SQLite client (group commit)', () => {
  let dir: string;
  let path: string;
  let client: SqlClient;
  /** A second connection to the same file: it sees only what was committed. */
  let observer: Database.Database;
  const committed = (): number[] => (observer.prepare('SELECT n FROM t ORDER BY n').all() as { n: number }[]).map((r) => r.n);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sqlite-client-'));
    path = join(dir, 'db.sqlite');
    client = openSqliteClient(path);
    await client.query('CREATE TABLE t (n INTEGER PRIMARY KEY)');
    observer = new Database(path, { readonly: true });
  });
  afterEach(async () => {
    observer.close();
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('bounds its page cache (better-sqlite3 would keep 16 MB of pages)', async () => {
    expect(await client.query('PRAGMA cache_size')).toEqual([{ cache_size: -SQLITE_CACHE_KIB }]);
    expect(SQLITE_CACHE_KIB).toBeLessThanOrEqual(4096);
  });

  it('keeps the journals of its savepoints in memory: no temporary file, however much a transaction changes', async () => {
    expect(await client.query('PRAGMA temp_store')).toEqual([{ temp_store: 2 }]);
    const filler = 'x'.repeat(1000);
    await client.transaction(async (tx) => {
      for (let n = 0; n < 400; n++) await tx.query('INSERT INTO t (n) VALUES (?)', [n]);
    });
    await client.query('ALTER TABLE t ADD COLUMN pad TEXT');
    /** Files this process holds open that SQLite made for a spilled journal (etilqs_*, unlinked at once). */
    const tempFiles = () => [...openFds()].filter(([, target]) => /etilqs_/.test(target)).map(([fd]) => fd);
    // Two callers of one group: the second's savepoint changes ~400 KB of pages the first left dirty, which
    // SQLite must journal to undo it alone; a file journal would have spilled at 64 KiB.
    const first = client.transaction(async (tx) => tx.query('UPDATE t SET pad = ?', [filler]));
    const second = client.transaction(async (tx) => {
      await tx.query('UPDATE t SET pad = ?', [`${filler}y`]);
      return tempFiles();
    });
    const [, during] = await Promise.all([first, second]);
    expect(during).toEqual([]);
    expect(observer.prepare('SELECT COUNT(*) AS n FROM t WHERE pad = ?').get(`${filler}y`)).toEqual({ n: 400 });
  });

  it('settles a write only once it is committed, and commits writes made together in one transaction', async () => {
    const seenAtSettle: number[][] = [];
    const writes = [1, 2, 3].map((n) =>
      client.transaction(async (tx) => {
        await tx.query('INSERT INTO t (n) VALUES (?)', [n]);
        return n;
      }).then((n) => (seenAtSettle.push(committed()), n)),
    );
    const single = client.query('INSERT INTO t (n) VALUES (4)').then(() => seenAtSettle.push(committed()));
    // Nothing is visible to another connection before the shared COMMIT.
    expect(committed()).toEqual([]);
    expect(await Promise.all(writes)).toEqual([1, 2, 3]);
    await single;
    // Every caller saw all four rows durable when its promise settled: one COMMIT for the group.
    expect(seenAtSettle).toEqual([
      [1, 2, 3, 4],
      [1, 2, 3, 4],
      [1, 2, 3, 4],
      [1, 2, 3, 4],
    ]);
  });

  it('rolls back only the transaction that threw; the others of its group commit', async () => {
    const ok = client.transaction(async (tx) => tx.query('INSERT INTO t (n) VALUES (1)'));
    const failing = client.transaction(async (tx) => {
      await tx.query('INSERT INTO t (n) VALUES (2)');
      await tx.query('INSERT INTO t (n) VALUES (1)'); // duplicate key: the whole callback is undone
    });
    const after = client.transaction(async (tx) => tx.query('INSERT INTO t (n) VALUES (3)'));
    const [okResult, failed, afterResult] = await Promise.allSettled([ok, failing, after]);
    expect([okResult.status, afterResult.status]).toEqual(['fulfilled', 'fulfilled']);
    expect(failed).toMatchObject({ status: 'rejected', reason: { message: expect.stringMatching(/UNIQUE constraint failed/) } });
    expect(committed()).toEqual([1, 3]);
  });

  it('a failed single statement leaves the group intact', async () => {
    const first = client.query('INSERT INTO t (n) VALUES (1)');
    const duplicate = client.query('INSERT INTO t (n) VALUES (1)');
    const third = client.query('INSERT INTO t (n) VALUES (2)');
    const settled = await Promise.allSettled([first, duplicate, third]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(committed()).toEqual([1, 2]);
  });

  it('a read that saw uncommitted writes returns after they are committed', async () => {
    const write = client.query('INSERT INTO t (n) VALUES (7)');
    const rows = await client.query<{ n: number }>('SELECT n FROM t');
    expect(rows).toEqual([{ n: 7 }]);
    expect(committed()).toEqual([7]);
    await write;
  });

  it('close() commits what is still open, and later calls fail clearly', async () => {
    const write = client.query('INSERT INTO t (n) VALUES (5)');
    await client.close();
    await write;
    expect(committed()).toEqual([5]);
    await expect(client.query('SELECT 1')).rejects.toThrow('the SQLite store is closed');
    client = openSqliteClient(path); // for afterEach
  });
});
