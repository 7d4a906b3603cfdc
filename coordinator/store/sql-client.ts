/**
 * The small SQL surface every store operation is written against, so each operation is one file that
 * runs on both SQLite and PostgreSQL. Statements use `?` placeholders; the PostgreSQL client rewrites
 * them to `$1, $2, …`. Row locks come from `forUpdate`; where the dialects differ otherwise, an operation
 * reads `dialect`.
 */
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
  /** Send a wake-up to other coordinator processes (PostgreSQL NOTIFY; a no-op on SQLite). */
  notify(topic: string): Promise<void>;
  /** Call `onTopic` for every topic other processes notify (PostgreSQL LISTEN; a no-op on SQLite). */
  listen(onTopic: (topic: string) => void): Promise<void>;
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
