/**
 * Answers from Telegram: a person taps a question's button, or replies to its message, and the question is
 * answered. The coordinator long-polls the Bot API's `getUpdates` for each Telegram target, one replica at a
 * time (a lease in the store), and accepts an answer only from an allow-listed chat (`chat_ids`); anything
 * else is ignored. A button's `callback_data` names the question and the choice (callback-data.ts); a reply
 * names the question by the id its message shows. Each question is answered once: a second tap is told who
 * answered first.
 */
import type { Logger } from 'pino';
import { decodeCallbackData } from './callback-data.js';
import type { ResolvedTarget } from './notify-config.js';

/** What a Telegram answer asks of a question (as `POST /v1/questions/:id/answer` takes it). */
export interface TelegramAnswer {
  text?: string;
  choice?: number;
  decision?: 'allow' | 'deny';
  message?: string;
  remember?: boolean;
}

/** How answering went: answered, or why not, in words for the person (a button's popup). */
export type AnswerOutcome = { ok: true } | { ok: false; reason: string };

export interface TelegramAnswersOptions {
  target: ResolvedTarget;
  /** Answer a question (validated as the API validates it); never throws. */
  answer: (questionId: string, answer: TelegramAnswer, answeredBy: string) => Promise<AnswerOutcome>;
  /** Take or renew the lease that makes this replica the one that polls `name` until `until`. */
  lease: (name: string, until: number) => Promise<boolean>;
  logger: Logger;
  /** getUpdates long-poll, in seconds (Telegram allows up to 50). */
  pollTimeoutS?: number;
  /** How long a lease lasts; renewed before each poll. */
  leaseMs?: number;
}

/** The parts of a Bot API Update this reads. */
interface Update {
  update_id: number;
  callback_query?: { id: string; from?: { id?: number; username?: string }; message?: { chat?: { id?: number | string } }; data?: string };
  message?: { chat?: { id?: number | string }; from?: { id?: number; username?: string }; text?: string; reply_to_message?: { text?: string } };
}

const QUESTION_ID = /\b(q_[A-Za-z0-9_-]{1,46})\b/;

/** Who answered, as the question records it: `telegram:@name`, else `telegram:<user id>`. */
const who = (from: { id?: number; username?: string } | undefined, chat: string) =>
  `telegram:${from?.username !== undefined ? `@${from.username}` : String(from?.id ?? chat)}`;

/** What a reply's text answers: approvals read allow/yes or deny/no (the rest is the message); a question takes the text. Pure. */
export function replyAnswer(text: string, approval: boolean): TelegramAnswer | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  if (!approval) return { text: trimmed };
  if (/^(allow|yes|approve|ok)\b/i.test(trimmed)) return { decision: 'allow' };
  const deny = /^(deny|no|reject)\b[\s:,.-]*([\s\S]*)$/i.exec(trimmed);
  if (deny !== null) return deny[2]!.trim() === '' ? { decision: 'deny' } : { decision: 'deny', message: deny[2]!.trim() };
  return null;
}

/**
 * What one update answers, if it is an answer from an allow-listed chat: the question, the answer, who,
 * and the callback query to acknowledge (a button). `isApproval` says whether a replied-to question is an
 * approval (decided by the caller, who can look the question up). Pure.
 */
export function readUpdate(update: Update, allowedChats: ReadonlySet<string>): { questionId: string; answer: TelegramAnswer | 'reply'; text?: string; by: string; callbackId?: string } | null {
  const query = update.callback_query;
  if (query !== undefined) {
    const chat = String(query.message?.chat?.id ?? '');
    if (!allowedChats.has(chat)) return null;
    const decoded = decodeCallbackData(query.data ?? '');
    if (decoded === null) return null;
    const c = decoded.choice;
    const answer: TelegramAnswer =
      c.kind === 'option' ? { choice: c.index } : c.kind === 'always' ? { decision: 'allow', remember: true } : { decision: c.kind };
    return { questionId: decoded.questionId, answer, by: who(query.from, chat), callbackId: query.id };
  }
  const message = update.message;
  if (message?.reply_to_message?.text === undefined || typeof message.text !== 'string') return null;
  const chat = String(message.chat?.id ?? '');
  if (!allowedChats.has(chat)) return null;
  const id = QUESTION_ID.exec(message.reply_to_message.text)?.[1];
  if (id === undefined) return null;
  return { questionId: id, answer: 'reply', text: message.text, by: who(message.from, chat) };
}

/**
 * Poll one Telegram target's updates until `stop`. Errors (the Bot API down, a bad token) are logged with
 * the token redacted, and the poll tries again after a pause.
 */
export function startTelegramAnswers(options: TelegramAnswersOptions & { isApproval: (questionId: string) => Promise<boolean | null> }): { stop: () => Promise<void> } {
  const { target, logger } = options;
  const token = target.secret ?? '';
  const base = `${target.url}/bot${token}`;
  const allowed = new Set(target.chatIds);
  const pollTimeoutS = options.pollTimeoutS ?? 25;
  const leaseMs = options.leaseMs ?? (pollTimeoutS + 15) * 1000;
  const stopping = new AbortController();
  const redact = (text: string) => (token === '' ? text : text.split(token).join('<bot token>'));
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      stopping.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
  const call = async (method: string, body: unknown, timeoutMs: number): Promise<unknown> => {
    const res = await fetch(`${base}/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.any([stopping.signal, AbortSignal.timeout(timeoutMs)]),
    });
    const reply = (await res.json().catch(() => null)) as { ok?: boolean; result?: unknown; description?: string } | null;
    if (!res.ok || reply?.ok !== true) throw new Error(`${method}: HTTP ${res.status}${reply?.description === undefined ? '' : `: ${reply.description}`}`);
    return reply.result;
  };

  const handle = async (update: Update) => {
    const read = readUpdate(update, allowed);
    if (read === null) {
      if (update.callback_query !== undefined || update.message?.reply_to_message !== undefined) logger.info({ target: target.name, update: update.update_id }, 'telegram update ignored: not an answer from an allowed chat');
      return;
    }
    let answer = read.answer;
    if (answer === 'reply') {
      const approval = await options.isApproval(read.questionId);
      const parsed = approval === null ? null : replyAnswer(read.text ?? '', approval);
      if (parsed === null) return;
      answer = parsed;
    }
    const outcome = await options.answer(read.questionId, answer, read.by);
    logger.info({ target: target.name, question: read.questionId, by: read.by, answered: outcome.ok }, outcome.ok ? 'question answered from telegram' : `telegram answer not taken: ${outcome.reason}`);
    if (read.callbackId !== undefined) {
      await call('answerCallbackQuery', { callback_query_id: read.callbackId, text: outcome.ok ? 'Answered' : outcome.reason.slice(0, 190) }, 10_000).catch((error: unknown) =>
        logger.warn({ target: target.name, err: redact(String((error as Error).message)) }, 'telegram answerCallbackQuery failed'),
      );
    }
  };

  const loop = (async () => {
    let offset = 0;
    let failures = 0;
    while (!stopping.signal.aborted) {
      try {
        if (!(await options.lease(`telegram:${target.name}`, Date.now() + leaseMs))) {
          await pause(leaseMs / 2);
          continue;
        }
        const asked = Date.now();
        const updates = await call('getUpdates', { offset, timeout: pollTimeoutS, allowed_updates: ['message', 'callback_query'] }, (pollTimeoutS + 10) * 1000);
        if (!Array.isArray(updates)) throw new Error('getUpdates: the answer holds no list of updates');
        failures = 0;
        // A Bot API that answers "nothing" at once instead of holding the poll is not asked again at once.
        if (updates.length === 0 && Date.now() - asked < (pollTimeoutS * 1000) / 10) await pause(1_000);
        for (const update of updates as Update[]) {
          // Confirmed (by the next poll's offset) only once handled: an update that failed is fetched again.
          await handle(update);
          offset = Math.max(offset, update.update_id + 1);
        }
      } catch (error) {
        if (stopping.signal.aborted) break;
        failures += 1;
        logger.warn({ target: target.name, err: redact(String((error as Error).message)) }, 'telegram getUpdates failed; polling again');
        await pause(Math.min(30_000, 500 * 2 ** Math.min(failures, 6)));
      }
    }
  })();
  return {
    stop: async () => {
      stopping.abort();
      await loop;
    },
  };
}
