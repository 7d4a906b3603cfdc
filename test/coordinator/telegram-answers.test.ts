// Answers from the phone (issue 15): with a Telegram target configured, the coordinator long-polls the Bot
// API's getUpdates (a loopback fake) and answers questions from button taps and replies, only from the
// allow-listed chats, each question once. Both stores.
import { afterEach, describe, expect, it } from 'vitest';
import { parseNotifyConfig } from '../../coordinator/notify/notify-config.js';
import { replyAnswer } from '../../coordinator/notify/telegram-answers.js';
import { startFakeTelegram, type TelegramCall } from '../helpers/fake-telegram.js';
import { type Api, startTestCoordinator, STORE_KINDS } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const ALLOWED = 111;
const STRANGER = 222;

describe.each(STORE_KINDS)('answers from Telegram (%s)', (kind) => {
  async function setup() {
    const telegram = await startFakeTelegram();
    cleanups.push(telegram.close);
    const notify = parseNotifyConfig(
      JSON.stringify({ targets: [{ name: 'phone', type: 'telegram', base_url: telegram.url, bot_token: { env: 'BOT' }, chat_ids: [ALLOWED], events: ['question.asked', 'approval.needed'] }] }),
      'notify.json',
      { BOT: '123:secret-bot-token' },
    );
    const t = await startTestCoordinator(kind, { notify, notifyPollMs: 10, telegramPollTimeoutS: 1 });
    cleanups.push(t.stop);
    return { ...t, telegram };
  }

  /** A queued session that asks `body`; resolves with the question and the message Telegram got for it. */
  async function ask(api: Api, telegram: Awaited<ReturnType<typeof setup>>['telegram'], body: Record<string, unknown>) {
    const session = (await api('POST', '/v1/sessions', { executor: 'nobody', prompt: 'p' })).body.session_id as string;
    const asked = await api('POST', `/v1/sessions/${session}/questions`, body);
    expect(asked.status, JSON.stringify(asked.body)).toBe(201);
    const id = asked.body.question.question_id as string;
    const message = await telegram.waitFor((c) => c.method === 'sendMessage' && String(c.body.text).includes(id));
    return { id, session, message };
  }

  /** Push an update and resolve once the coordinator has polled past it (it was handled). */
  async function deliver(telegram: Awaited<ReturnType<typeof setup>>['telegram'], update: Record<string, unknown>): Promise<void> {
    const updateId = telegram.push(update);
    await telegram.waitFor((c: TelegramCall) => c.method === 'getUpdates' && Number(c.body.offset) > updateId);
  }

  it('a button tap from an allowed chat answers once; a stranger\'s tap and a second tap change nothing', async () => {
    const { api, telegram } = await setup();
    const { id, message } = await ask(api, telegram, { question: 'Ship it?', options: ['ship', 'wait'], wait: false });
    expect(message.token).toBe('123:secret-bot-token');
    const [ship] = message.body.reply_markup.inline_keyboard.flat();
    const tap = (chat: number, user: string, queryId: string) => ({
      callback_query: { id: queryId, from: { id: chat, username: user }, message: { message_id: 1, chat: { id: chat } }, data: ship.callback_data },
    });
    await deliver(telegram, tap(STRANGER, 'mallory', 'cq-1'));
    expect((await api('GET', `/v1/questions/${id}`)).body.status).toBe('open');
    expect(telegram.calls.some((c) => c.method === 'answerCallbackQuery' && c.body.callback_query_id === 'cq-1')).toBe(false);

    await deliver(telegram, tap(ALLOWED, 'ana', 'cq-2'));
    const answered = (await api('GET', `/v1/questions/${id}`)).body;
    expect(answered).toMatchObject({ status: 'answered', answered_by: 'telegram:@ana', answer: { choice: 0, choice_text: 'ship' } });
    expect((await telegram.waitFor((c) => c.method === 'answerCallbackQuery' && c.body.callback_query_id === 'cq-2')).body.text).toBe('Answered');

    await deliver(telegram, tap(ALLOWED, 'bob', 'cq-3'));
    const again = await telegram.waitFor((c) => c.method === 'answerCallbackQuery' && c.body.callback_query_id === 'cq-3');
    expect(again.body.text).toMatch(/already answered: by telegram:@ana/);
    expect((await api('GET', `/v1/questions/${id}`)).body.answered_by).toBe('telegram:@ana');
  });

  it('a reply to the message answers a free question, and allow/deny replies answer approvals', async () => {
    const { api, telegram } = await setup();
    const free = await ask(api, telegram, { question: 'Which branch?', wait: false });
    await deliver(telegram, { message: { message_id: 9, chat: { id: ALLOWED }, from: { id: 5 }, text: 'release/2.0', reply_to_message: { text: free.message.body.text } } });
    expect((await api('GET', `/v1/questions/${free.id}`)).body).toMatchObject({ status: 'answered', answered_by: 'telegram:5', answer: { text: 'release/2.0' } });

    const approval = await ask(api, telegram, { kind: 'approval', subject: { tool: 'Bash', input: { command: 'rm -rf build' } }, wait: false });
    // A reply that is neither allow nor deny, and one from a stranger, are not answers.
    await deliver(telegram, { message: { message_id: 10, chat: { id: ALLOWED }, text: 'hmm', reply_to_message: { text: approval.message.body.text } } });
    await deliver(telegram, { message: { message_id: 11, chat: { id: STRANGER }, text: 'allow', reply_to_message: { text: approval.message.body.text } } });
    expect((await api('GET', `/v1/questions/${approval.id}`)).body.status).toBe('open');
    await deliver(telegram, { message: { message_id: 12, chat: { id: ALLOWED }, from: { id: 5, username: 'ana' }, text: 'deny: not on a Friday', reply_to_message: { text: approval.message.body.text } } });
    expect((await api('GET', `/v1/questions/${approval.id}`)).body).toMatchObject({ status: 'answered', answer: { decision: 'deny', message: 'not on a Friday' } });
  });

  it('hostile updates (bad callback data, a choice out of range, no text) are ignored and polling goes on', async () => {
    const { api, telegram } = await setup();
    const { id } = await ask(api, telegram, { question: 'Pick', options: ['a'], wait: false });
    await deliver(telegram, { callback_query: { id: 'x1', message: { chat: { id: ALLOWED } }, data: 'rm -rf /' } });
    await deliver(telegram, { callback_query: { id: 'x2', message: { chat: { id: ALLOWED } }, data: `ar1:${id}:c7` } });
    expect((await telegram.waitFor((c) => c.method === 'answerCallbackQuery' && c.body.callback_query_id === 'x2')).body.text).toMatch(/choice 7 is out of range/);
    await deliver(telegram, { message: { chat: { id: ALLOWED }, reply_to_message: { text: `Question id: ${id}` } } });
    await deliver(telegram, { edited_message: { text: 'x' } });
    expect((await api('GET', `/v1/questions/${id}`)).body.status).toBe('open');
  });
});

describe('replyAnswer', () => {
  it('reads allow and deny words for approvals, the text for questions', () => {
    expect(replyAnswer('  yes please ', true)).toEqual({ decision: 'allow' });
    expect(replyAnswer('Deny - too risky', true)).toEqual({ decision: 'deny', message: 'too risky' });
    expect(replyAnswer('no', true)).toEqual({ decision: 'deny' });
    expect(replyAnswer('maybe', true)).toBeNull();
    expect(replyAnswer('   ', false)).toBeNull();
    expect(replyAnswer(' main ', false)).toEqual({ text: 'main' });
  });
});
