import { ApiError, notFound } from '../../api-error.js';
import type { RunRecord } from '../../types.js';
import type { SqlClient } from '../sql-client.js';
import { getRunForUpdate } from './get-records.js';

/** Read a run for update and check that `runnerId` holds it (403 otherwise). */
export async function getHeldRun(tx: SqlClient, runId: string, runnerId: string): Promise<RunRecord> {
  const run = await getRunForUpdate(tx, runId);
  if (run === null) throw notFound('run', runId);
  return assertHeld(run, runnerId);
}

/** The run, if `runnerId` holds it (403 otherwise). */
export function assertHeld(run: RunRecord, runnerId: string): RunRecord {
  if (run.runner_id !== runnerId) {
    throw new ApiError(403, 'forbidden', `runner ${runnerId} does not hold run ${run.id}`, { run: run.id, runner: runnerId });
  }
  return run;
}
