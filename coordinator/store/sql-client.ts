/**
 * The small SQL surface every store operation is written against, so each operation is one file that
 * runs on both SQLite and PostgreSQL. Statements use `?` placeholders; the PostgreSQL client rewrites
 * them to `$1, $2, …`. Where the dialects differ (row locks), an operation reads `dialect`.
 */
export type Dialect = 'sqlite' | 'postgres';

export interface SqlClient {
  readonly dialect: Dialect;
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
