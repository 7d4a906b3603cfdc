/**
 * Agents' text is data: each target's markup is escaped so what an agent wrote shows as written and
 * cannot format, link, or mention. Pure.
 */

/** Slack mrkdwn: `&`, `<` and `>` are the control characters (`<!channel>`, `<url|text>`). */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Telegram `parse_mode: HTML`: `&`, `<`, `>` and `"` as entities. */
export function escapeTelegramHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Telegram `parse_mode: MarkdownV2`: every character the Bot API lists as reserved, backslash-escaped. */
export function escapeTelegramMarkdownV2(text: string): string {
  return text.replace(/[_*[\]()~`>#+\-=|{}.!\\]/g, (ch) => `\\${ch}`);
}

/** A zero-width space: after `@` it keeps `@everyone`, `@here` and `<@id>` from being a mention. */
const ZWSP = '\u200b';

/**
 * Discord markdown: its formatting characters backslash-escaped, and mentions broken with a zero-width
 * space (the body also sends `allowed_mentions: {parse: []}`, so Discord pings nobody either way).
 */
export function escapeDiscord(text: string): string {
  return text.replace(/[\\*_~`|>#\-[\]()<:]/g, (ch) => `\\${ch}`).replace(/@/g, `@${ZWSP}`);
}

/** Cut `text` to at most `max` characters, with an ellipsis when it was longer. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}
