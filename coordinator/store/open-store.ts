import { migrate } from './migrations.js';
import { openPostgresClient } from './postgres-client.js';
import { openSqliteClient } from './sqlite-client.js';
import { createStore, type Store } from './store.js';

export interface StoreLocation {
  /** A SQLite file path (or `:memory:`), or a `postgres://` / `postgresql://` URL. */
  databaseUrl: string;
  /** PostgreSQL only: the schema to use (created if missing). */
  schema?: string | undefined;
}

/** Whether a database URL names PostgreSQL rather than a SQLite file. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

/** Open the store a URL names and apply pending migrations. */
export async function openStore(location: StoreLocation): Promise<Store> {
  const { databaseUrl } = location;
  const sql = isPostgresUrl(databaseUrl)
    ? await openPostgresClient({ url: databaseUrl, schema: location.schema })
    : openSqliteClient(databaseUrl.replace(/^sqlite:(\/\/)?/, ''));
  try {
    await migrate(sql);
  } catch (error) {
    await sql.close();
    throw error;
  }
  return createStore(sql);
}
