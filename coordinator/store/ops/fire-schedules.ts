import { parseSchedule, type Schedule, slotToFire } from '../../../lib/workflow/schedule.js';
import { requireInputs } from '../../../lib/workflow/resolve-inputs.js';
import type { SqlClient } from '../sql-client.js';
import { toWorkflowDefinition, type WorkflowDefinitionRecord } from '../workflow-rows.js';
import { startWorkflowRunIn } from './start-workflow-run.js';

/** A scheduled workflow fired (or refused to: its inputs have required ones without defaults). */
export interface ScheduleFired {
  name: string;
  slot: number;
  workflow_run_id: string | null;
  error: string | null;
}

/** A workflow's schedules, checked (a bad one was refused when the file was loaded; skipped here). */
function schedulesOf(record: WorkflowDefinitionRecord): Schedule[] {
  const out: Schedule[] = [];
  for (const spec of record.definition.schedules) {
    const parsed = parseSchedule(spec);
    if (parsed.ok) out.push(parsed.schedule);
  }
  return out;
}

/**
 * Fire the due slot of every scheduled workflow: at most one run per slot, whichever replica gets there
 * first and whatever restarts happen (the slot's row is inserted in the transaction that starts the run;
 * a second insert of it does nothing). Missed slots fire once, as the latest (lib/workflow/schedule.ts).
 */
export async function fireSchedules(sql: SqlClient, now: number): Promise<ScheduleFired[]> {
  const fired: ScheduleFired[] = [];
  const scheduled = (await sql.query('SELECT * FROM workflows WHERE schedule_since IS NOT NULL ORDER BY name')).map(toWorkflowDefinition);
  for (const record of scheduled) {
    if (record.definition.schedules.length === 0 || record.schedule_since === null) continue;
    const schedules = schedulesOf(record);
    const [last] = await sql.query<{ slot: unknown }>('SELECT MAX(slot) AS slot FROM workflow_schedule_slots WHERE name = ?', [record.name]);
    const lastFired = last?.slot === null || last?.slot === undefined ? null : Number(last.slot);
    const slot = slotToFire(schedules, { since: record.schedule_since, lastFired, now });
    if (slot === null) continue;
    const result = await sql.transaction(async (tx): Promise<ScheduleFired | null> => {
      const inserted = await tx.query('INSERT INTO workflow_schedule_slots (name, slot, fired_at) VALUES (?, ?, ?) ON CONFLICT (name, slot) DO NOTHING RETURNING slot', [
        record.name, slot, now,
      ]);
      if (inserted.length === 0) return null;
      let inputs: Record<string, unknown>;
      try {
        inputs = requireInputs(record.definition.inputs, {});
      } catch (error) {
        return { name: record.name, slot, workflow_run_id: null, error: (error as Error).message };
      }
      const started = await startWorkflowRunIn(tx, {
        def: record.definition, inputs, trigger: 'schedule', project_dir: null, parent_session_id: null, priority: 0, tags: [], budget: null,
      }, now);
      await tx.query('UPDATE workflow_schedule_slots SET workflow_run_id = ? WHERE name = ? AND slot = ?', [started.id, record.name, slot]);
      return { name: record.name, slot, workflow_run_id: started.id, error: null };
    });
    if (result !== null) fired.push(result);
  }
  return fired;
}
