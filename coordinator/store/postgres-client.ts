import pg from 'pg';
import type { SqlClient } from './sql-client.js';
import { forUpdateClause, toNumberedPlaceholders } from './sql-client.js';

/** The LISTEN/NOTIFY channel coordinator replicas share. */
export const NOTIFY_CHANNEL = 'agent_coordinator';
/** Connections per coordinator process. */
export const PG_POOL_SIZE = 10;

export interface PostgresClientOptions {
  url: string;
  /** A schema to create (if missing) and use instead of `public`. */
  schema?: string | undefined;
  poolSize?: number | undefined;
}

const converted = new Map<string, string>();
const convert = (sql: string): string => {
  let out = converted.get(sql);
  if (out === undefined) converted.set(sql, (out = toNumberedPlaceholders(sql)));
  return out;
};

const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** PostgreSQL through a `pg` pool; a dedicated connection LISTENs for wake-ups from other replicas. */
export async function openPostgresClient(options: PostgresClientOptions): Promise<SqlClient> {
  const config: pg.PoolConfig = { connectionString: options.url, max: options.poolSize ?? PG_POOL_SIZE };
  if (options.schema !== undefined) {
    const admin = new pg.Client({ connectionString: options.url });
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(options.schema)}`);
    } catch (error) {
      // Two replicas starting together may race on CREATE SCHEMA; the loser sees a duplicate.
      const code = (error as { code?: string }).code;
      if (code !== '23505' && code !== '42P06') throw error;
    } finally {
      await admin.end();
    }
    config.options = `-c search_path=${quoteIdent(options.schema)}`;
  }
  const pool = new pg.Pool(config);
  pool.on('error', () => {}); // an idle client's connection dropped; the pool replaces it
  let listener: pg.Client | null = null;

  // A transaction opened inside a transaction joins it (as on SQLite), so one operation can call others atomically.
  const clientFor = (runner: pg.Pool | pg.PoolClient, inside = false): SqlClient => {
    const client: SqlClient = {
      dialect: 'postgres',
      forUpdate: forUpdateClause,
      async query<T>(sql: string, params: readonly unknown[] = []) {
        const result = await runner.query(convert(sql), params as unknown[]);
        return result.rows as T[];
      },
      transaction: (fn) => (inside ? fn(client) : inTransaction(fn)),
      notify: (topic) => notify(topic),
      listen: (onTopic) => listen(onTopic),
      close: async () => {},
    };
    return client;
  };

  async function inTransaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(clientFor(client, true));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }
  async function notify(topic: string): Promise<void> {
    await pool.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, topic]);
  }
  async function listen(onTopic: (topic: string) => void): Promise<void> {
    if (listener !== null) throw new Error('already listening');
    listener = new pg.Client(config);
    listener.on('error', () => {});
    await listener.connect();
    listener.on('notification', (message) => {
      if (message.channel === NOTIFY_CHANNEL && message.payload !== undefined) onTopic(message.payload);
    });
    await listener.query(`LISTEN ${NOTIFY_CHANNEL}`);
  }

  const client = clientFor(pool);
  return {
    ...client,
    async close() {
      if (listener !== null) await listener.end().catch(() => {});
      await pool.end();
    },
  };
}
