import type { SqlClient } from '../sql-client.js';

/**
 * Note on a claimed run the model it was given and its fallbacks (docs/coordinator.md, "Models and
 * routing"). Only while its runner still holds it claimed: a run released or finished meanwhile keeps what it had.
 */
export async function setRunModel(sql: SqlClient, runId: string, runnerId: string, model: string, models: readonly string[]): Promise<void> {
  await sql.query("UPDATE runs SET model = ?, models = ? WHERE id = ? AND runner_id = ? AND status IN ('claimed', 'running')", [model, JSON.stringify(models), runId, runnerId]);
}
