import type { CoordinatorContext } from '../http/context.js';
import { ConflictError } from '../store/store-errors.js';
import type { QuestionAnswer } from '../../protocol/questions.js';
import type { QuestionRecord } from '../types.js';

/** Most questions one sweep closes (the next sweep takes the rest). */
const MAX_PER_SWEEP = 500;

/** The answer a question gets at its timeout: "no answer within N s"; an approval follows its on_timeout. Pure. */
export function timeoutAnswer(q: Pick<QuestionRecord, 'kind' | 'timeout_s' | 'on_timeout'>): QuestionAnswer {
  const text = `no answer within ${q.timeout_s ?? 0} s`;
  return q.kind === 'approval' ? { timed_out: true, text, decision: q.on_timeout ?? 'deny', remember: false } : { timed_out: true, text };
}

/** Close the open questions past their timeout with their timeout answer (a sweep step; replicas may race: one wins). */
export async function expireQuestions(ctx: CoordinatorContext, now: number): Promise<void> {
  for (const q of await ctx.store.listTimedOutQuestions(now, MAX_PER_SWEEP)) {
    try {
      await ctx.store.closeQuestion(q.id, { status: 'timed_out', answer: timeoutAnswer(q), answered_by: 'timeout' }, now);
      ctx.logger.info({ question: q.id, session: q.session_id, timeout_s: q.timeout_s }, 'question timed out');
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }
}

/** Most questions one stop cancels. */
const MAX_CANCELLED = 1_000;

/** A stopped session's open questions (and with `cascade` its subtree's) are cancelled: no answer will be awaited. */
export async function cancelQuestions(ctx: CoordinatorContext, sessionId: string, cascade: boolean): Promise<number> {
  let cancelled = 0;
  for (const id of await ctx.store.listOpenQuestionIds(sessionId, cascade, MAX_CANCELLED)) {
    try {
      await ctx.store.closeQuestion(id, { status: 'cancelled', answer: null, answered_by: 'stop' }, Date.now());
      cancelled += 1;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  if (cancelled > 0) ctx.logger.info({ session: sessionId, cancelled }, 'questions cancelled by a stop');
  return cancelled;
}
