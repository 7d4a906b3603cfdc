import type { Dialect } from '../sql-client.js';

/**
 * Retries go to another runner: `runs.excluded_runners` (a JSON array of runner ids, like `tags`) lists the
 * runners whose executor failed the run with its own exit 75; no claim hands the run to them again.
 */
export function excludedRunners(_dialect: Dialect): string {
  return "ALTER TABLE runs ADD COLUMN excluded_runners TEXT NOT NULL DEFAULT '[]'";
}
