// The bench's own view of the test PostgreSQL: which backends serve a system (each system's connections
// carry its own application_name), and schemas dropped at the end.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PG_URL } from '../../test/coordinator/helpers.js';
import type { MeteredProcess } from './cpu-meter.js';

/** The application_name of the bench's own connection (never metered). */
const OBSERVER_NAME = 'peers_bench_observer';

/** A fresh schema name with `prefix`; also the application_name of the system that uses it. */
export function schemaName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/** The test database's URL, with connections named `applicationName` (pg_stat_activity.application_name). */
export function urlNamed(applicationName: string): string {
  const url = new URL(PG_URL);
  url.searchParams.set('application_name', applicationName);
  return url.toString();
}

/** One connection of the bench to the test database, to list backends and drop schemas. */
export class PostgresObserver {
  readonly #client = new pg.Client({ connectionString: urlNamed(OBSERVER_NAME) });

  async connect(): Promise<this> {
    await this.#client.connect();
    return this;
  }

  /** The backends now connected under `applicationName`, as the meter's `postgres` part. */
  async backends(applicationName: string): Promise<MeteredProcess[]> {
    const { rows } = await this.#client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [applicationName]);
    return rows.map((row) => ({ pid: row.pid, part: 'postgres' }));
  }

  async query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.#client.query<T>(sql, params)).rows;
  }

  async dropSchema(schema: string): Promise<void> {
    await this.#client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  }

  async close(): Promise<void> {
    await this.#client.end();
  }
}
