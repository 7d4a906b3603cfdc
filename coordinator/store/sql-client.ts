/**
 * The small SQL surface every store operation is written against, so each operation is one file that
 * runs on both SQLite and PostgreSQL. Statements use `?` placeholders; the PostgreSQL client rewrites
 * them to `$1, $2, …`. Row locks come from `forUpdate`; where the dialects differ otherwise, an operation
 * reads `dialect`.
 */
import type { StoreHooks } from './outbox-plan.js';
import type { ChangeListener, StoreChange } from './store-changes.js';

export type Dialect = 'sqlite' | 'postgres';

/** How a `SELECT … FOR UPDATE` locks: only the rows of one table of a join, and skipping rows others hold. */
export interface RowLock {
  /** Lock only this table's rows (`FOR UPDATE OF runs`). */
  of?: string;
  /** Pass over rows another transaction holds instead of waiting for them (`SKIP LOCKED`). */
  skipLocked?: boolean;
}

export interface SqlClient {
  readonly dialect: Dialect;
  /**
   * The suffix that locks a SELECT's rows until the transaction ends: ` FOR UPDATE …` on PostgreSQL,
   * empty on SQLite, whose write transaction already holds the whole database.
   */
  forUpdate(lock?: RowLock): string;
  /** Run one statement and return its rows (empty for statements without RETURNING). */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Run `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  /**
   * Note a change the current transaction made (store-changes.ts): the change listener hears it once
   * the transaction is committed, and on PostgreSQL a NOTIFY inside the transaction tells the other
   * replicas. Outside a transaction: heard at once (and NOTIFYed in a transaction of its own).
   */
  announce(change: StoreChange): void;
  /** Tell this process's change listener only (a statement that sent its NOTIFY itself; see notifyTarget). */
  announceLocally(changes: readonly StoreChange[]): void;
  /**
   * Hear committed changes: this process's own, with their events, and on PostgreSQL the other
   * replicas' (LISTEN), without. One listener per client.
   */
  subscribeChanges(listener: ChangeListener): Promise<void>;
  /**
   * PostgreSQL: the NOTIFY channel and this process's sender id, for a statement that notifies itself;
   * null on SQLite, and when no other replica listens (see replica-presence.ts).
   */
  readonly notifyTarget: { channel: string; sender: string } | null;
  /**
   * What this transaction learned that holds until it ends, because it holds the locks that keep it true
   * (a session's last event seq, see event-seqs.ts): a map per PostgreSQL transaction; null outside one,
   * and on SQLite, where a lookup is an in-process index probe and not worth remembering.
   */
  readonly memo: Map<string, number> | null;
  /** What the coordinator plugged in (the notification outbox plan), one object shared with every transaction. */
  readonly hooks: StoreHooks;
  /** How many other coordinator replicas were heard from lately (PostgreSQL; 0 on SQLite). */
  replicaPeers(): number;
  close(): Promise<void>;
}

/** Rewrite `?` placeholders to `$1…$n` (our statements never put `?` inside string literals). Pure. */
export function toNumberedPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** `?, ?, ?` for an IN list or VALUES row of `count` items. */
export function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}

/** PostgreSQL's row-lock clause, with a leading space. Pure. */
export function forUpdateClause(lock: RowLock = {}): string {
  return ` FOR UPDATE${lock.of === undefined ? '' : ` OF ${lock.of}`}${lock.skipLocked === true ? ' SKIP LOCKED' : ''}`;
}
