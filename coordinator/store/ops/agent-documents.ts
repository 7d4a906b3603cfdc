import type { AgentDocument } from '../../../protocol/agents.js';
import type { SqlClient } from '../sql-client.js';

/** Insert or replace an agent blueprint. @returns whether it is new. */
export async function putAgent(sql: SqlClient, doc: AgentDocument, now: number): Promise<{ created: boolean }> {
  return sql.transaction(async (tx) => {
    const existing = await tx.query('SELECT name FROM agents WHERE name = ?', [doc.name]);
    await tx.query(
      'INSERT INTO agents (name, doc, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at',
      [doc.name, JSON.stringify(doc), now],
    );
    return { created: existing.length === 0 };
  });
}

/** One agent blueprint, or `null`. */
export async function getAgent(sql: SqlClient, name: string): Promise<AgentDocument | null> {
  const rows = await sql.query<{ doc: string }>('SELECT doc FROM agents WHERE name = ?', [name]);
  return rows[0] === undefined ? null : (JSON.parse(rows[0].doc) as AgentDocument);
}

/** Every agent blueprint, by name. */
export async function listAgents(sql: SqlClient): Promise<AgentDocument[]> {
  const rows = await sql.query<{ doc: string }>('SELECT doc FROM agents ORDER BY name');
  return rows.map((r) => JSON.parse(r.doc) as AgentDocument);
}

/** Delete an agent blueprint. @returns whether it existed. */
export async function deleteAgent(sql: SqlClient, name: string): Promise<boolean> {
  const rows = await sql.query('DELETE FROM agents WHERE name = ? RETURNING name', [name]);
  return rows.length > 0;
}
