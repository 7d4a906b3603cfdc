import type { QuestionRecord, SessionRecord } from '../../types.js';
import type { SqlClient } from '../sql-client.js';

/**
 * What a notification of a question carries (`question.asked`, or `approval.needed` for an approval), as
 * docs/notifications.md of the notifications work names its fields. Pure.
 */
export function questionNotification(q: QuestionRecord, session: Pick<SessionRecord, 'agent'>) {
  const common = { question_id: q.id, session_id: q.session_id, agent: session.agent, root_session_id: q.root_session_id };
  return q.kind === 'approval'
    ? { event: 'approval.needed' as const, data: { ...common, tool: q.subject?.tool ?? null, input: q.subject?.input ?? null, question: q.question, details: q.details } }
    : { event: 'question.asked' as const, data: { ...common, question: q.question, options: q.options, details: q.details, urgency: q.urgency } };
}

/**
 * The hook of a question just asked, called in the transaction that stored it (so a notification is stored
 * if and only if the question is). Today it does nothing: the notifications outbox (branch `notify`) is
 * not merged yet. At merge it becomes:
 *
 *   const n = questionNotification(question, session);
 *   if (!wantsNotification(tx, n.event)) return;
 *   await enqueueNotification(tx, { event: n.event, dedupeKey: `${n.event}:${question.id}`, occurredAt: now, data: n.data,
 *     session: { id: session.id, agent: session.agent, root_session_id: session.root_session_id } }, now);
 */
export async function onQuestionAsked(_tx: SqlClient, _question: QuestionRecord, _session: SessionRecord, _now: number): Promise<void> {}
