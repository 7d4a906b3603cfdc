import type { RunRecord } from '../../types.js';
import type { SqlClient } from '../sql-client.js';
import { NotFoundError, NotHolderError } from '../store-errors.js';
import { getRunForUpdate } from './get-records.js';

/** Read a run for update and check that `runnerId` holds it (NotHolderError otherwise). */
export async function getHeldRun(tx: SqlClient, runId: string, runnerId: string): Promise<RunRecord> {
  const run = await getRunForUpdate(tx, runId);
  if (run === null) throw new NotFoundError('run', runId);
  return assertHeld(run, runnerId);
}

/** The run, if `runnerId` holds it (NotHolderError otherwise). */
export function assertHeld(run: RunRecord, runnerId: string): RunRecord {
  if (run.runner_id !== runnerId) throw new NotHolderError(run.id, runnerId);
  return run;
}
