import type { RunRecord } from '../../types.js';
import type { SqlClient } from '../sql-client.js';
import { getHeldRun } from './get-held-run.js';
import type { SessionUpdate } from './session-update.js';
import { type RunPatch, transitionRun } from './transition-run.js';

/** What a runner says of a run's start: the model it gave the executor and its fallbacks (absent: none chosen, or an older runner). */
export interface RunStarted {
  pid?: number | undefined;
  /** When the runner started the executor (ISO 8601, its clock): see startedAt. */
  at?: string | undefined;
  model?: string | undefined;
  models?: readonly string[] | undefined;
}

/** The holding runner started the run's executor: `claimed → running`. */
export async function startRun(sql: SqlClient, runId: string, runnerId: string, now: number, started?: RunStarted): Promise<RunRecord> {
  return sql.transaction(async (tx) => startHeldRun(tx, await getHeldRun(tx, runId, runnerId), now, undefined, started));
}

/**
 * `claimed → running` for a run read with getHeldRun (inside a transaction); the session's change gathered
 * in `session`, if given. The model the runner gave the executor is noted on the run in the same UPDATE (the
 * claim chose it and wrote nothing: docs/coordinator.md, "Models and routing").
 */
export function startHeldRun(tx: SqlClient, run: RunRecord, now: number, session?: SessionUpdate, started?: RunStarted): Promise<RunRecord> {
  const patch: RunPatch = { started_at: startedAt(run, started?.at, now) };
  if (started?.model !== undefined) {
    patch.model = started.model;
    patch.models = started.models !== undefined && started.models.length > 0 ? [...started.models] : [started.model];
  }
  return transitionRun(tx, run, 'running', patch, now, session);
}

/**
 * The run's `started_at`: when the runner says it started the executor (it may hold a lone start back a
 * little, to send it with the run's end), kept between the claim and `now` (the report's arrival), so a
 * runner's clock that is off never puts the start before the claim or in the future. Without it, `now`.
 */
export function startedAt(run: Pick<RunRecord, 'claimed_at'>, at: string | undefined, now: number): number {
  const said = at === undefined ? Number.NaN : Date.parse(at);
  if (!Number.isFinite(said)) return now;
  return Math.min(now, Math.max(run.claimed_at ?? said, said));
}
