import type { Dialect } from '../sql-client.js';

/** An index for `GET /v1/sessions?executor=` (the console's sessions page filters by executor): newest first, as the other filters. */
export function sessionsExecutorIndex(_dialect: Dialect): string {
  return `CREATE INDEX sessions_executor ON sessions (executor, seq)`;
}
