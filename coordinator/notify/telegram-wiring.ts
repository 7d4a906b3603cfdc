import type { Logger } from 'pino';
import { ApiError } from '../api-error.js';
import { answerQuestion } from '../rules/answer-question.js';
import { newId } from '../ids.js';
import type { Store } from '../store/store.js';
import { ConflictError, NotFoundError } from '../store/store-errors.js';
import type { ResolvedNotifyConfig } from './notify-config.js';
import { type AnswerOutcome, startTelegramAnswers, type TelegramAnswer } from './telegram-answers.js';

/**
 * Answer a question as `POST /v1/questions/:id/answer` does (the same checks, exactly once), for an answer
 * that did not come over HTTP. @returns whether it was taken, or why not.
 */
export async function answerFromOutside(store: Store, questionId: string, answer: TelegramAnswer, answeredBy: string): Promise<AnswerOutcome> {
  try {
    const q = await store.getQuestion(questionId);
    if (q === null) return { ok: false, reason: `no question ${questionId}` };
    await answerQuestion(store, q, answer, answeredBy, Date.now());
    return { ok: true };
  } catch (error) {
    if (error instanceof ConflictError || error instanceof ApiError || error instanceof NotFoundError) return { ok: false, reason: error.message };
    return { ok: false, reason: `could not answer: ${(error as Error).message}` };
  }
}

/**
 * Poll every Telegram target of the notification config for answers (telegram-answers.ts), each under a
 * lease so one replica at a time polls a bot. @returns a function that stops them all.
 */
export function startTelegramAnswerPolls(store: Store, config: ResolvedNotifyConfig, logger: Logger, pollTimeoutS?: number): () => Promise<void> {
  const holder = newId('crd');
  const polls = config.targets
    .filter((t) => t.type === 'telegram' && t.chatIds.length > 0)
    .map((target) =>
      startTelegramAnswers({
        target,
        logger,
        pollTimeoutS,
        answer: (id, answer, by) => answerFromOutside(store, id, answer, by),
        isApproval: async (id) => {
          const q = await store.getQuestion(id);
          return q === null ? null : q.kind === 'approval';
        },
        lease: (name, until) => store.acquireLease(name, holder, until, Date.now()),
      }),
    );
  return async () => {
    await Promise.all(polls.map((p) => p.stop()));
  };
}
