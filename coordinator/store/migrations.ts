import { initialSchema } from './migrations/001-initial.js';
import { runStatusEvents } from './migrations/002-run-status-events.js';
import { callbacks } from './migrations/003-callbacks.js';
import { excludedRunners } from './migrations/004-excluded-runners.js';
import { statusIndexes } from './migrations/005-status-indexes.js';
import { dropSessionEventSeq } from './migrations/006-session-event-seq.js';
import { sessionTree } from './migrations/007-session-tree.js';
import { notificationOutbox } from './migrations/008-notification-outbox.js';
import { questions } from './migrations/009-questions.js';
import { leases } from './migrations/010-leases.js';
import { workflows } from './migrations/011-workflows.js';
import { sessionsExecutorIndex } from './migrations/012-sessions-executor-index.js';
import { credentialParks } from './migrations/013-credential-parks.js';
import { models } from './migrations/014-models.js';
import { sessionSkills } from './migrations/015-session-skills.js';
import type { Dialect, SqlClient } from './sql-client.js';

/** One versioned schema change. Versions only grow; an applied migration is never edited. */
export interface Migration {
  version: number;
  name: string;
  sql: (dialect: Dialect) => string;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial', sql: initialSchema },
  { version: 2, name: 'run-status-events', sql: runStatusEvents },
  { version: 3, name: 'callbacks', sql: callbacks },
  { version: 4, name: 'excluded-runners', sql: excludedRunners },
  { version: 5, name: 'status-indexes', sql: statusIndexes },
  { version: 6, name: 'session-event-seq', sql: dropSessionEventSeq },
  { version: 7, name: 'session-tree', sql: sessionTree },
  { version: 8, name: 'notification-outbox', sql: notificationOutbox },
  { version: 9, name: 'questions', sql: questions },
  { version: 10, name: 'leases', sql: leases },
  { version: 11, name: 'workflows', sql: workflows },
  { version: 12, name: 'sessions-executor-index', sql: sessionsExecutorIndex },
  { version: 13, name: 'credential-parks', sql: credentialParks },
  { version: 14, name: 'models', sql: models },
  { version: 15, name: 'session-skills', sql: sessionSkills },
];

/** Split a migration into statements (ours hold no `;` inside literals). */
function statements(sql: string): string[] {
  return sql
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * Apply the migrations not applied yet, in order, in one transaction. On PostgreSQL an advisory lock
 * makes replicas that start together take turns.
 * @returns the versions applied now.
 */
export async function migrate(sql: SqlClient, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  return sql.transaction(async (tx) => {
    if (tx.dialect === 'postgres') await tx.query("SELECT pg_advisory_xact_lock(hashtext('agent_coordinator_migrations'))");
    await tx.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
    );
    const rows = await tx.query<{ version: number }>('SELECT version FROM schema_migrations');
    const done = new Set(rows.map((r) => Number(r.version)));
    const applied: number[] = [];
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      for (const statement of statements(migration.sql(tx.dialect))) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
        migration.version,
        migration.name,
        Date.now(),
      ]);
      applied.push(migration.version);
    }
    return applied;
  });
}
