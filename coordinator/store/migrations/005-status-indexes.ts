import type { Dialect } from '../sql-client.js';

/**
 * Indexes for `GET /v1/status` and `sessions prune`: runs by the time they ended (the last hour's
 * outcomes read a range instead of every run), and sessions by the time they ended (prune's candidates).
 */
export function statusIndexes(_dialect: Dialect): string {
  return `
CREATE INDEX runs_finished ON runs (finished_at);
CREATE INDEX sessions_ended ON sessions (ended_at)
`;
}
