import { ApiError } from '../api-error.js';
import type { AnswerQuestion, QuestionAnswer } from '../../protocol/questions.js';
import type { Store } from '../store/store.js';
import type { QuestionRecord } from '../types.js';

/** 400 naming one field of the body. */
export function badField(path: string, message: string): ApiError {
  return new ApiError(400, 'invalid_request', `invalid body: ${path === '' ? '' : `${path}: `}${message}`, { issues: [{ path, message }] });
}

/** Check an answer against its question (a choice in range, a decision only for approvals, …); @returns the answer to store. */
export function answerFor(q: QuestionRecord, body: AnswerQuestion): QuestionAnswer {
  if (q.kind === 'approval') {
    if (body.text !== undefined) throw badField('text', 'an approval is answered with decision "allow" or "deny" (add words with message)');
    if (body.choice !== undefined) throw badField('choice', 'an approval has no options; answer with decision "allow" or "deny"');
    if (body.decision === undefined) throw badField('decision', 'an approval needs decision "allow" or "deny"');
    if (body.remember === true && body.decision !== 'allow') throw badField('remember', 'only an allow can be remembered for the session');
    return { decision: body.decision, remember: body.remember ?? false, ...(body.message === undefined ? {} : { message: body.message }) };
  }
  if (body.decision !== undefined) throw badField('decision', 'decision is for approvals; answer a question with text or choice');
  if (body.remember !== undefined) throw badField('remember', 'remember is for approvals');
  if (body.choice !== undefined) {
    if (q.options === null) throw badField('choice', 'this question has no options; answer with text');
    if (body.choice >= q.options.length) throw badField('choice', `choice ${body.choice} is out of range: the question has ${q.options.length} options (0 to ${q.options.length - 1})`);
    if (body.text !== undefined) throw badField('text', 'give text or choice, not both');
  }
  return {
    ...(body.text === undefined ? {} : { text: body.text }),
    ...(body.choice === undefined ? {} : { choice: body.choice, choice_text: q.options![body.choice]! }),
    ...(body.message === undefined ? {} : { message: body.message }),
  };
}

/**
 * Answer a question, from the API or from elsewhere (a Telegram button): checked against the question
 * (answerFor: 400 naming the field), then stored exactly once (a ConflictError, 409, says who answered first).
 */
export async function answerQuestion(store: Store, q: QuestionRecord, body: AnswerQuestion, answeredBy: string, now: number): Promise<QuestionRecord> {
  return store.closeQuestion(q.id, { status: 'answered', answer: answerFor(q, body), answered_by: answeredBy }, now);
}
