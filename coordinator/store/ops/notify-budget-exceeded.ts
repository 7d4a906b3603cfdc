import type { SessionRecord } from '../../types.js';
import type { SqlClient } from '../sql-client.js';
import { enqueueNotification, wantsNotification } from './enqueue-notifications.js';

/**
 * A tree was stopped because its budget was passed: enqueue `budget.exceeded`, in the transaction that
 * wrote `stop_reason` (`{reason: 'budget_exceeded', …}`) on the session whose budget it was. Once per such
 * session (a second stop of the same tree stores nothing). No target wants it: no statement.
 * The budget code calls this where it stops the tree (see docs/notifications.md).
 */
export async function notifyBudgetExceeded(
  tx: SqlClient,
  session: Pick<SessionRecord, 'id' | 'agent' | 'root_session_id'>,
  stopReason: Record<string, unknown>,
  now: number,
): Promise<number> {
  if (!wantsNotification(tx, 'budget.exceeded')) return 0;
  return enqueueNotification(tx, {
    event: 'budget.exceeded',
    dedupeKey: `budget.exceeded:${session.id}`,
    occurredAt: now,
    session: { id: session.id, agent: session.agent, root_session_id: session.root_session_id },
    data: { session_id: session.id, agent: session.agent, root_session_id: session.root_session_id, stop_reason: stopReason },
  }, now);
}
