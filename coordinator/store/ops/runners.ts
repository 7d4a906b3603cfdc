import type { RunnerRecord } from '../../types.js';
import { toRunner } from '../rows.js';
import type { SqlClient } from '../sql-client.js';

/** What registering stores: the runner's record without the times the store sets. */
export type NewRunner = Pick<RunnerRecord, 'id' | 'name' | 'hostname' | 'executors' | 'tags' | 'capacity' | 'metadata'>;

/** Register a runner; the caller keeps the token, the store only its hash. */
export async function registerRunner(sql: SqlClient, input: NewRunner, tokenHash: string, now: number): Promise<RunnerRecord> {
  const [row] = await sql.query(
    `INSERT INTO runners (id, name, hostname, executors, tags, capacity, metadata, token_hash, registered_at, last_seen_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    [input.id, input.name, input.hostname, JSON.stringify(input.executors), JSON.stringify(input.tags), input.capacity,
      JSON.stringify(input.metadata ?? null), tokenHash, now, now],
  );
  return toRunner(row!);
}

/** A runner and its token hash, or `null`. */
export async function getRunnerWithToken(sql: SqlClient, id: string): Promise<{ runner: RunnerRecord; tokenHash: string } | null> {
  const [row] = await sql.query('SELECT * FROM runners WHERE id = ?', [id]);
  return row === undefined ? null : { runner: toRunner(row), tokenHash: String(row.token_hash) };
}

/** Record a heartbeat: the runner's lease now runs from `now`. */
export async function touchRunner(sql: SqlClient, id: string, now: number): Promise<void> {
  await sql.query('UPDATE runners SET last_seen_at = ? WHERE id = ?', [now, id]);
}

/** Every runner, oldest first. */
export async function listRunners(sql: SqlClient): Promise<RunnerRecord[]> {
  const rows = await sql.query('SELECT * FROM runners ORDER BY registered_at, id');
  return rows.map(toRunner);
}

/** Runners whose lease holds now. */
export async function listOnlineRunners(sql: SqlClient, now: number, leaseMs: number): Promise<RunnerRecord[]> {
  const rows = await sql.query('SELECT * FROM runners WHERE deregistered_at IS NULL AND last_seen_at >= ?', [now - leaseMs]);
  return rows.map(toRunner);
}

/** Mark a runner gone; its runs are taken back by the next lease sweep. */
export async function deregisterRunner(sql: SqlClient, id: string, now: number): Promise<void> {
  await sql.query('UPDATE runners SET deregistered_at = ? WHERE id = ?', [now, id]);
}

/** The ids of the runs this runner holds that someone asked to stop. */
export async function runsToStop(sql: SqlClient, runnerId: string): Promise<string[]> {
  const rows = await sql.query<{ id: string }>(
    "SELECT id FROM runs WHERE runner_id = ? AND stop_requested = 1 AND status IN ('claimed', 'running') ORDER BY seq",
    [runnerId],
  );
  return rows.map((r) => r.id);
}
