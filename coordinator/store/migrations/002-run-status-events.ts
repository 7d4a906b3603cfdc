import type { Dialect } from '../sql-client.js';

/**
 * Run status changes become events of the session (`type: "run_status"`), so watchers see a run's life
 * in the same stream as what it reported. They take negative `run_seq` values from this per-run counter,
 * which keeps them apart from the runner's own numbering (1, 2, ...).
 */
export function runStatusEvents(_dialect: Dialect): string {
  return 'ALTER TABLE runs ADD COLUMN status_seq BIGINT NOT NULL DEFAULT 0';
}
