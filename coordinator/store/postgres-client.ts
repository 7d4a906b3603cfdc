import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import pg from 'pg';
import type { StoreHooks } from './sql-client.js';
import { DEFAULT_WORKFLOW_SETTINGS } from './workflow-rows.js';
import type { SqlClient } from './sql-client.js';
import { forUpdateClause, toNumberedPlaceholders } from './sql-client.js';
import { PRESENCE_INTERVAL_MS, ReplicaPresence } from './replica-presence.js';
import { type PgStatement, PgStatements, RetryableStatementError } from './pg-statements.js';
import { PendingEvents, touchesEvents } from './pending-events.js';
import { ChangeBuffer, type ChangeListener, decodeChanges, encodeChanges, presencePayload, type StoreChange } from './store-changes.js';

/** The LISTEN/NOTIFY channel coordinator replicas share. */
export const NOTIFY_CHANNEL = 'agent_coordinator';
/** Connections per coordinator process. */
export const PG_POOL_SIZE = 10;
/**
 * How long a pooled connection may sit idle before it is closed. pg-pool's default, 10 s, is the
 * heartbeat interval: runners that heartbeat together (a fleet started at once) open several connections,
 * which were closed just before their next heartbeat and opened again (a connection's start-up and
 * authentication each time: most of the PostgreSQL coordinator's idle CPU beyond SQLite's, issue 13).
 */
export const PG_IDLE_CONNECTION_MS = 300_000;
/**
 * Tries of a transaction PostgreSQL ends as a deadlock victim (40P01), or that met a named statement it had
 * to rename (pg-statements.ts), before its error is thrown. Writers of
 * one tree lock rows in two orders: a run's report from the session up to the root (its usage totals), a
 * tree's stop from the root down; when they meet, PostgreSQL aborts one, which runs again from the start.
 */
export const PG_DEADLOCK_TRIES = 3;

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

/** PostgreSQL through a `pg` pool; a dedicated connection LISTENs for the other replicas' changes (subscribeChanges). */
export async function openPostgresClient(options: PostgresClientOptions): Promise<SqlClient> {
  const config: pg.PoolConfig = { connectionString: options.url, max: options.poolSize ?? PG_POOL_SIZE, idleTimeoutMillis: PG_IDLE_CONNECTION_MS };
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
  let presenceTimer: NodeJS.Timeout | undefined;
  let onChanges: ChangeListener = () => {};
  /** This process's id on its NOTIFYs, so it does not hear its own changes a second time. */
  const sender = `${hostname()}:${process.pid}:${randomBytes(6).toString('hex')}`;
  /** Coordinators sharing a schema share a channel; those of other schemas (in the same database) do not hear them. */
  const channel = options.schema === undefined ? NOTIFY_CHANNEL : `${NOTIFY_CHANNEL}_${createHash('sha256').update(options.schema).digest('hex').slice(0, 16)}`;
  const presence = new ReplicaPresence(Date.now());
  const deliver = (changes: readonly StoreChange[]) => {
    if (changes.length > 0) onChanges(changes);
  };
  const notifyAll = async (runner: pg.Pool | pg.PoolClient, changes: readonly StoreChange[]) => {
    // Nobody else listens (no other replica): a NOTIFY would only cost this coordinator's own listener a transaction.
    if (listener === null || !presence.mustNotify(Date.now())) return;
    for (const payload of encodeChanges(sender, changes)) await runner.query('SELECT pg_notify($1, $2)', [channel, payload]);
  };
  const sayHere = () => void pool.query('SELECT pg_notify($1, $2)', [channel, presencePayload(sender)]).catch(() => {});

  const statements = new PgStatements();
  const send = (runner: pg.Pool | pg.PoolClient, sent: PgStatement, params: readonly unknown[]) =>
    sent.name === undefined ? runner.query(sent.text, params as unknown[]) : runner.query({ name: sent.name, text: sent.text, values: params as unknown[] });

  // A transaction opened inside a transaction joins it (as on SQLite), so one operation can call others atomically.
  const hooks: StoreHooks = { outbox: null, workflows: DEFAULT_WORKFLOW_SETTINGS, engine: null };
  const clientFor = (runner: pg.Pool | pg.PoolClient, changes: ChangeBuffer | null): SqlClient => {
    const pendingEvents = changes !== null ? new PendingEvents() : null;
    const sendOne = async (text: string, params: readonly unknown[]) => {
      const sent = statements.statement(convert(text));
      try {
        return (await send(runner, sent, params)).rows;
      } catch (error) {
        if (!statements.recover(sent, error)) throw error;
        // The error aborted the transaction it was in: the transaction runs again from the start (inTransaction).
        if (changes !== null) throw new RetryableStatementError(error);
        return (await send(runner, statements.statement(sent.text), params)).rows;
      }
    };
    const client: SqlClient = {
      dialect: 'postgres',
      hooks,
      forUpdate: forUpdateClause,
      memo: changes !== null ? new Map() : null,
      pendingEvents,
      get notifyTarget() {
        return listener !== null && presence.mustNotify(Date.now()) ? { channel, sender } : null;
      },
      async query<T>(sql: string, params: readonly unknown[] = []) {
        if (pendingEvents !== null && pendingEvents.size > 0 && touchesEvents(sql)) await flushEvents(client);
        return (await sendOne(sql, params)) as T[];
      },
      transaction: (fn) => (changes !== null ? fn(client) : inTransaction(fn)),
      announce(change) {
        if (changes !== null) return changes.add(change);
        deliver([change]);
        notifyAll(pool, [change]).catch(() => {}); // the other replicas' sweeps catch up with what they missed
      },
      announceLocally: deliver,
      subscribeChanges: (listener) => subscribe(listener),
      replicaPeers: () => presence.peerCount(Date.now()),
      close: async () => {},
    };
    return client;
  };

  async function inTransaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await inTransactionOnce(fn);
      } catch (error) {
        const again = (error as { code?: unknown }).code === '40P01' || error instanceof RetryableStatementError;
        if (attempt >= PG_DEADLOCK_TRIES || !again) throw error instanceof RetryableStatementError ? error.cause : error;
      }
    }
  }

  async function inTransactionOnce<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    const changes = new ChangeBuffer();
    try {
      await client.query('BEGIN');
      const tx = clientFor(client, changes);
      const result = await fn(tx);
      await flushEvents(tx);
      const committed = changes.take();
      // Inside the transaction: the other replicas hear it when (and only if) it commits, at no extra transaction.
      await notifyAll(client, committed);
      await client.query('COMMIT');
      deliver(committed);
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }
  /** Write a transaction's pending event rows (pending-events.ts). */
  async function flushEvents(tx: SqlClient): Promise<void> {
    if (tx.pendingEvents === null || tx.pendingEvents.size === 0) return;
    for (const insert of tx.pendingEvents.take()) await tx.query(insert.text, insert.params);
  }

  async function subscribe(listen: ChangeListener): Promise<void> {
    if (listener !== null) throw new Error('already listening');
    onChanges = listen;
    listener = new pg.Client(config);
    listener.on('error', () => {});
    await listener.connect();
    listener.on('notification', (message) => {
      if (message.channel !== channel || message.payload === undefined) return;
      const heard = decodeChanges(sender, message.payload);
      if (heard === null) return;
      if (presence.heard(heard.sender, Date.now())) sayHere();
      deliver(heard.changes);
    });
    await listener.query(`LISTEN ${quoteIdent(channel)}`);
    sayHere();
    presenceTimer = setInterval(() => {
      if (presence.hasPeers(Date.now())) sayHere();
    }, PRESENCE_INTERVAL_MS);
    presenceTimer.unref();
  }

  const client = clientFor(pool, null);
  return {
    ...client,
    async close() {
      clearInterval(presenceTimer);
      if (listener !== null) await listener.end().catch(() => {});
      await pool.end();
    },
  };
}
