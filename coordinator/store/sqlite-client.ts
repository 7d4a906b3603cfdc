import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { StoreHooks } from './sql-client.js';
import { DEFAULT_WORKFLOW_SETTINGS } from './workflow-rows.js';
import type { SqlClient } from './sql-client.js';
import { ChangeBuffer, type ChangeListener, type StoreChange } from './store-changes.js';

/** How many prepared statements are kept per connection. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * SQLite's page cache, KiB (better-sqlite3 builds SQLite with 16 MB, SQLite's own default is 2 MB). The
 * cache is malloc'd as the database grows and kept: on the memory bench the coordinator's heap grew by
 * ~2.6 MB per 1,000 runs until it held 16 MB. Pages beyond it are read from the OS's page cache (the
 * WAL and the file stay there), at a syscall each; what the coordinator touches per run (the newest
 * rows, the queued-runs index, the index pages a random id lands on) fits in far less.
 */
export const SQLITE_CACHE_KIB = 4096;

/** SQLite has no row locks: a write transaction holds the whole database (see openSqliteClient). */
const noRowLocks = (): string => '';

/** The write transaction a group of callers shares until it is committed. */
interface CommitGroup {
  /** Settles once the group is durable (COMMIT returned) or lost (COMMIT failed, rolled back). */
  durable: Promise<void>;
  /** What its transactions announced, heard once it is committed. */
  changes: StoreChange[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

function openGroup(): CommitGroup {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const durable = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  // A caller always awaits it; this keeps a failure with nobody left waiting from crashing the process.
  durable.catch(() => undefined);
  return { durable, resolve, reject, changes: [] };
}

/**
 * SQLite through better-sqlite3, in WAL mode with `synchronous=FULL` so an acknowledged write survives a
 * crash of the process or the machine.
 *
 * Group commit: a COMMIT waits for the disk (an fsync of the WAL, ~0.5–1 ms here) and better-sqlite3
 * blocks the event loop meanwhile, so one COMMIT per write would cap the coordinator at about a thousand
 * writes a second and leave its thread waiting on the disk. Instead, writes share one open transaction:
 * each caller's transaction is a SAVEPOINT inside it (rolled back alone when it throws), and the shared
 * transaction is committed once per turn of the event loop. No caller's promise settles before the
 * COMMIT that made its writes durable returned, and a read that ran while a group was open waits for
 * that COMMIT too, so nothing leaves the coordinator before it is on disk. If the COMMIT fails, every
 * caller of the group gets the error (none of them was acknowledged).
 *
 * better-sqlite3 is synchronous, so a transaction whose callback awaits must keep other callers out
 * until it ends: one async lock serialises transactions, queries and commits.
 */
export function openSqliteClient(path: string): SqlClient {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.pragma(`cache_size = -${SQLITE_CACHE_KIB}`);
  // Each caller's transaction is a SAVEPOINT (see above), which journals the pages it changes that earlier
  // callers of its group left dirty; past 64 KiB SQLite spilled that journal to a new file in /var/tmp
  // (create, unlink, a write per page: 1.6 files a run at 20 runs a second). In memory it costs no system
  // call and needs no writable temporary folder; it lives only as long as the transaction, and a crash
  // discards it either way.
  db.pragma('temp_store = MEMORY');
  const statements = new Map<string, Database.Statement>();
  let locked = false;
  let closed = false;
  const queue: Array<() => void> = [];
  let group: CommitGroup | undefined;
  /** The changes of the transaction running now (transactions run one at a time). */
  let current: ChangeBuffer | null = null;
  let onChanges: ChangeListener = () => {};
  const deliver = (changes: readonly StoreChange[]) => {
    if (changes.length > 0) onChanges(changes);
  };

  const prepare = (sql: string): Database.Statement => {
    let stmt = statements.get(sql);
    if (stmt === undefined) {
      if (statements.size >= STATEMENT_CACHE_SIZE) statements.clear();
      stmt = db.prepare(sql);
      statements.set(sql, stmt);
    }
    return stmt;
  };
  const run = <T>(stmt: Database.Statement, params: readonly unknown[] = []): T[] => {
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

  /** Commit the open group (the lock is held). */
  const commitGroup = (): void => {
    const committing = group;
    if (committing === undefined) return;
    group = undefined;
    try {
      db.exec('COMMIT');
      committing.resolve();
      deliver(committing.changes);
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      committing.reject(error);
    }
  };
  /** SQLite rolled the whole transaction back on its own (an I/O error, a full disk): the group is lost. */
  const abandonGroupIfRolledBack = (error: unknown): void => {
    if (group === undefined || db.inTransaction) return;
    group.reject(error);
    group = undefined;
  };
  /** The open group, opening one (and scheduling its COMMIT) if none is (the lock is held). */
  const joinGroup = (): CommitGroup => {
    if (group !== undefined) return group;
    db.exec('BEGIN IMMEDIATE');
    group = openGroup();
    // After this turn's I/O callbacks: every request that arrived together shares the COMMIT.
    setImmediate(() => {
      void acquire().then(
        () => {
          try {
            commitGroup();
          } finally {
            release();
          }
        },
        () => undefined, // closed: close() committed it
      );
    });
    return group;
  };

  /** Outside a transaction: heard with the open group's commit, or at once when none is open. */
  const announceNow = (change: StoreChange) => {
    if (group !== undefined) group.changes.push(change);
    else deliver([change]);
  };
  const subscribeChanges = async (listener: ChangeListener) => {
    onChanges = listener;
  };

  const hooks: StoreHooks = { outbox: null, workflows: DEFAULT_WORKFLOW_SETTINGS, engine: null };
  const inside: SqlClient = {
    dialect: 'sqlite',
    hooks,
    forUpdate: noRowLocks,
    notifyTarget: null,
    memo: null,
    pendingEvents: null,
    query: async (sql, params) => run(prepare(sql), params),
    transaction: (fn) => fn(inside),
    announce: (change) => (current === null ? announceNow(change) : current.add(change)),
    announceLocally: deliver,
    subscribeChanges,
    replicaPeers: () => 0,
    close: async () => {},
  };

  return {
    dialect: 'sqlite',
    hooks,
    forUpdate: noRowLocks,
    memo: null,
    pendingEvents: null,
    async query<T>(sql: string, params?: readonly unknown[]) {
      await acquire();
      let rows: T[];
      let pending: CommitGroup | undefined;
      try {
        const stmt = prepare(sql);
        // A write joins the group; a read may have seen the group's writes, so it waits for them too.
        pending = stmt.readonly ? group : joinGroup();
        rows = run<T>(stmt, params);
      } catch (error) {
        abandonGroupIfRolledBack(error);
        throw error;
      } finally {
        release();
      }
      if (pending !== undefined) await pending.durable;
      return rows;
    },
    async transaction(fn) {
      await acquire();
      let result;
      let joined: CommitGroup;
      try {
        joined = joinGroup();
        db.exec('SAVEPOINT tx');
        current = new ChangeBuffer();
        try {
          result = await fn(inside);
          db.exec('RELEASE tx');
          joined.changes.push(...current.take());
        } catch (error) {
          if (db.inTransaction) {
            db.exec('ROLLBACK TO tx');
            db.exec('RELEASE tx');
          } else {
            abandonGroupIfRolledBack(error);
          }
          throw error;
        }
      } finally {
        current = null;
        release();
      }
      await joined.durable;
      return result;
    },
    notifyTarget: null,
    announce: announceNow,
    announceLocally: deliver,
    subscribeChanges,
    replicaPeers: () => 0,
    async close() {
      if (closed) return;
      await acquire();
      try {
        commitGroup();
      } finally {
        closed = true;
        db.close();
        release();
      }
    },
  };
}
