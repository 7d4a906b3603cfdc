import { encodeCallbackData } from '../callback-data.js';
import { describeEvent } from '../describe-event.js';
import { escapeTelegramHtml, escapeTelegramMarkdownV2, truncate } from '../escape-markup.js';
import { type DeliveryInput, type OutgoingRequest, USER_AGENT } from './outgoing-request.js';

/** Telegram's limit on a message's text, in characters after entities are parsed (kept under with room). */
const MAX_TEXT = 3_500;

/**
 * A Bot API `sendMessage` to one allow-listed chat: the text in HTML (or MarkdownV2) with every agent-written
 * string escaped, and a question's choices as inline buttons (callback_data: callback-data.ts). Pure.
 */
export function telegramRequest(baseUrl: string, botToken: string, parseMode: 'HTML' | 'MarkdownV2', n: DeliveryInput): OutgoingRequest {
  const d = describeEvent(n.event, n.data);
  const html = parseMode === 'HTML';
  const esc = html ? escapeTelegramHtml : escapeTelegramMarkdownV2;
  const bold = (t: string) => (html ? `<b>${t}</b>` : `*${t}*`);
  const lines = [bold(esc(d.title)), ...d.fields.map(([label, value]) => `${esc(label)}: ${html ? `<code>${esc(value)}</code>` : esc(value)}`)];
  if (d.body !== null) lines.push('', html ? `<pre>${esc(truncate(d.body, MAX_TEXT - 500))}</pre>` : esc(truncate(d.body, MAX_TEXT - 500)));
  const message: Record<string, unknown> = {
    chat_id: /^-?\d+$/.test(n.recipient ?? '') ? Number(n.recipient) : n.recipient,
    text: lines.join('\n'),
    parse_mode: parseMode,
    link_preview_options: { is_disabled: true },
  };
  if (d.question !== null) {
    const buttons = d.question.choices.map((c) => ({ text: truncate(c.label, 64), callback_data: encodeCallbackData(d.question!.id, c.choice) }));
    // One button a row: choices are often sentences.
    if (buttons.every((b) => b.callback_data !== null)) message.reply_markup = { inline_keyboard: buttons.map((b) => [b]) };
  }
  return { url: `${baseUrl}/bot${botToken}/sendMessage`, headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT }, body: JSON.stringify(message) };
}
