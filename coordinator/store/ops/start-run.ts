import type { RunRecord } from '../../types.js';
import type { SqlClient } from '../sql-client.js';
import { getHeldRun } from './get-held-run.js';
import type { SessionUpdate } from './session-update.js';
import { transitionRun } from './transition-run.js';

/** The holding runner started the run's executor: `claimed → running`. */
export async function startRun(sql: SqlClient, runId: string, runnerId: string, now: number): Promise<RunRecord> {
  return sql.transaction(async (tx) => startHeldRun(tx, await getHeldRun(tx, runId, runnerId), now));
}

/** `claimed → running` for a run read with getHeldRun (inside a transaction); the session's change gathered in `session`, if given. */
export function startHeldRun(tx: SqlClient, run: RunRecord, now: number, session?: SessionUpdate): Promise<RunRecord> {
  return transitionRun(tx, run, 'running', { started_at: now }, now, session);
}
