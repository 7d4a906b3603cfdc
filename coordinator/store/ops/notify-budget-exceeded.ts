import type { SqlClient } from '../sql-client.js';
import { enqueueNotification, wantsNotification } from './enqueue-notifications.js';

/**
 * A tree was stopped because its budget was passed: enqueue `budget.exceeded`, in the transaction that
 * wrote `stop_reason` (`{reason: 'budget_exceeded', …}`) on the session whose budget it was (stopTreeForBudget
 * calls it). Once per such session (a second stop of the same tree stores nothing). No target wants it: no
 * statement.
 */
export async function notifyBudgetExceeded(tx: SqlClient, sessionId: string, stopReason: Record<string, unknown>, now: number): Promise<number> {
  if (!wantsNotification(tx, 'budget.exceeded')) return 0;
  const [session] = await tx.query<{ agent: string | null; root_session_id: string | null }>('SELECT agent, root_session_id FROM sessions WHERE id = ?', [sessionId]);
  if (session === undefined) return 0;
  return enqueueNotification(tx, {
    event: 'budget.exceeded',
    dedupeKey: `budget.exceeded:${sessionId}`,
    occurredAt: now,
    session: { id: sessionId, agent: session.agent, root_session_id: session.root_session_id },
    data: { session_id: sessionId, agent: session.agent, root_session_id: session.root_session_id, stop_reason: stopReason },
  }, now);
}
