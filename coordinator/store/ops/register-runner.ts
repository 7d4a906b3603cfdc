import type { RunnerRecord } from '../../types.js';
import { toRunner } from '../rows.js';
import type { SqlClient } from '../sql-client.js';

/** What registering stores: the runner's record without the times the store sets. */
export type NewRunner = Pick<RunnerRecord, 'id' | 'name' | 'hostname' | 'executors' | 'tags' | 'capacity' | 'metadata'> &
  Partial<Pick<RunnerRecord, 'credential_profiles' | 'default_executor'>>;

/** Register a runner; the caller keeps the token, the store only its hash. */
export async function registerRunner(sql: SqlClient, input: NewRunner, tokenHash: string, now: number): Promise<RunnerRecord> {
  const [row] = await sql.query(
    `INSERT INTO runners (id, name, hostname, executors, tags, capacity, metadata, token_hash, registered_at, last_seen_at, credential_profiles, default_executor)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    [input.id, input.name, input.hostname, JSON.stringify(input.executors), JSON.stringify(input.tags), input.capacity,
      JSON.stringify(input.metadata ?? null), tokenHash, now, now,
      (input.credential_profiles ?? []).length === 0 ? null : JSON.stringify(input.credential_profiles), input.default_executor ?? null],
  );
  return toRunner(row!);
}
