import type { SqlClient } from '../sql-client.js';

/**
 * How many callback-mode runs in flight will resume `sessionId` with their outcome: while there are any,
 * the session is waiting on them (its MCP token stays valid).
 */
export async function countCallbackRunsInFlight(sql: SqlClient, sessionId: string): Promise<number> {
  const [row] = await sql.query<{ n: unknown }>(
    "SELECT COUNT(*) AS n FROM runs WHERE callback_session_id = ? AND status IN ('queued', 'claimed', 'running', 'lost')",
    [sessionId],
  );
  return Number(row?.n ?? 0);
}
