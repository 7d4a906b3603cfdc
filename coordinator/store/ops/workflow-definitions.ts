import type { WorkflowDef } from '../../../lib/workflow/model.js';
import type { SqlClient } from '../sql-client.js';
import { toWorkflowDefinition, type WorkflowDefinitionRecord } from '../workflow-rows.js';

/**
 * Store a workflow of the folder (insert or replace). `schedule_since` is set when it is first stored with
 * a schedule, and again when its schedules change: slots before it never fire.
 * @returns whether it was new.
 */
export async function putWorkflow(sql: SqlClient, def: WorkflowDef, document: unknown, file: string | null, now: number): Promise<{ created: boolean }> {
  return sql.transaction(async (tx) => {
    const [old] = await tx.query<{ definition: unknown; schedule_since: unknown }>(`SELECT definition, schedule_since FROM workflows WHERE name = ?${tx.forUpdate()}`, [def.name]);
    const schedules = JSON.stringify(def.schedules);
    const before = old === undefined ? null : JSON.stringify((JSON.parse(String(old.definition)) as WorkflowDef).schedules);
    const since = def.schedules.length === 0 ? null : before === schedules && old?.schedule_since != null ? Number(old.schedule_since) : now;
    await tx.query(
      `INSERT INTO workflows (name, definition, document, file, schedule_since, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, document = excluded.document, file = excluded.file,
         schedule_since = excluded.schedule_since, updated_at = excluded.updated_at`,
      [def.name, JSON.stringify(def), JSON.stringify(document), file, since, now, now],
    );
    return { created: old === undefined };
  });
}

export async function getWorkflow(sql: SqlClient, name: string): Promise<WorkflowDefinitionRecord | null> {
  const [row] = await sql.query('SELECT * FROM workflows WHERE name = ?', [name]);
  return row === undefined ? null : toWorkflowDefinition(row);
}

export async function listWorkflows(sql: SqlClient): Promise<WorkflowDefinitionRecord[]> {
  return (await sql.query('SELECT * FROM workflows ORDER BY name')).map(toWorkflowDefinition);
}

export async function deleteWorkflow(sql: SqlClient, name: string): Promise<boolean> {
  const rows = await sql.query('DELETE FROM workflows WHERE name = ? RETURNING name', [name]);
  return rows.length > 0;
}
