import type { Dialect } from '../sql-client.js';

/**
 * Named leases: work only one coordinator replica does at a time (polling a Telegram bot's updates: two
 * pollers of one bot would each get half the answers). A replica holds `name` until `expires_at` and renews
 * it; another takes it once it has expired.
 */
export function leases(_dialect: Dialect): string {
  return 'CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at BIGINT NOT NULL)';
}
