import type { RunRecord } from '../../types.js';
import type { SqlClient } from '../sql-client.js';

/**
 * Keep the outcome of a run that ended in callback mode for the session to resume with it (inside the
 * transaction that ended the run). The result is the outcome's, else what the run reported as events.
 * A run calling back its own session is ignored.
 */
export async function recordCallback(tx: SqlClient, run: RunRecord, now: number): Promise<boolean> {
  const target = run.callback_session_id;
  if (target === null || target === run.session_id) return false;
  const outcome = run.outcome as { result?: Record<string, unknown> | null } | null;
  let result: unknown = null;
  if (outcome?.result !== undefined && outcome.result !== null) {
    const { type: _type, ...fields } = outcome.result;
    result = fields;
  } else {
    const [row] = await tx.query<{ result: unknown }>('SELECT result FROM sessions WHERE id = ? AND last_run_id = ?', [run.session_id, run.id]);
    result = row?.result === null || row?.result === undefined ? null : JSON.parse(String(row.result));
  }
  const exists = await tx.query('SELECT 1 AS one FROM sessions WHERE id = ?', [target]);
  if (exists.length === 0) return false;
  await tx.query(
    `INSERT INTO callbacks (session_id, child_session_id, child_run_id, status, result, error, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (child_run_id) DO NOTHING`,
    [target, run.session_id, run.id, run.status, result === null ? null : JSON.stringify(result), run.error, now],
  );
  return true;
}
