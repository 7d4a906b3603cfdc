import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SqlClient } from './sql-client.js';

/** How many prepared statements are kept per connection. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * SQLite through better-sqlite3, in WAL mode with `synchronous=FULL` so an acknowledged write survives a
 * crash of the process or the machine. better-sqlite3 is synchronous, so a transaction whose callback
 * awaits must keep other callers out until it ends: one async lock serialises transactions and queries.
 */
export function openSqliteClient(path: string): SqlClient {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  const statements = new Map<string, Database.Statement>();
  let locked = false;
  let closed = false;
  const queue: Array<() => void> = [];

  const prepare = (sql: string): Database.Statement => {
    let stmt = statements.get(sql);
    if (stmt === undefined) {
      if (statements.size >= STATEMENT_CACHE_SIZE) statements.clear();
      stmt = db.prepare(sql);
      statements.set(sql, stmt);
    }
    return stmt;
  };
  const run = <T>(sql: string, params: readonly unknown[] = []): T[] => {
    const stmt = prepare(sql);
    const values = params.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v));
    if (stmt.reader) return stmt.all(...values) as T[];
    stmt.run(...values);
    return [];
  };
  const acquire = async (): Promise<void> => {
    if (closed) throw new Error('the SQLite store is closed');
    if (!locked) {
      locked = true;
      return;
    }
    await new Promise<void>((resolve) => queue.push(resolve));
    if (closed) {
      release();
      throw new Error('the SQLite store is closed');
    }
  };
  const release = () => {
    const next = queue.shift();
    if (next === undefined) locked = false;
    else next();
  };

  const inside: SqlClient = {
    dialect: 'sqlite',
    query: async (sql, params) => run(sql, params),
    transaction: (fn) => fn(inside),
    notify: async () => {},
    listen: async () => {},
    close: async () => {},
  };

  return {
    dialect: 'sqlite',
    async query<T>(sql: string, params?: readonly unknown[]) {
      await acquire();
      try {
        return run<T>(sql, params);
      } finally {
        release();
      }
    },
    async transaction(fn) {
      await acquire();
      try {
        db.exec('BEGIN IMMEDIATE');
        try {
          const result = await fn(inside);
          db.exec('COMMIT');
          return result;
        } catch (error) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw error;
        }
      } finally {
        release();
      }
    },
    notify: async () => {},
    listen: async () => {},
    async close() {
      if (closed) return;
      await acquire();
      closed = true;
      db.close();
      release();
    },
  };
}
