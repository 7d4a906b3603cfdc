import { describe, expect, it } from 'vitest';
import { decodeCallbackData, encodeCallbackData } from './callback-data.js';
import { escapeDiscord, escapeSlack, escapeTelegramHtml, escapeTelegramMarkdownV2 } from './escape-markup.js';
import { signWebhook, verifyWebhookSignature } from './sign-webhook.js';

const HOSTILE = '<script>x</script> & <!channel> <@U1> @everyone *b* _i_ `c` [l](http://e) ~s~ ||sp|| > q # h';

describe('escaping agent text per target', () => {
  it('Slack mrkdwn: &, < and > only', () => {
    expect(escapeSlack(HOSTILE)).toBe(HOSTILE.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
    expect(escapeSlack(HOSTILE)).not.toMatch(/[<>]/);
  });
  it('Telegram HTML: entities for &, <, >, "', () => {
    expect(escapeTelegramHtml('<b a="1">&</b>')).toBe('&lt;b a=&quot;1&quot;&gt;&amp;&lt;/b&gt;');
  });
  it('Telegram MarkdownV2: every reserved character backslashed', () => {
    const reserved = '_*[]()~`>#+-=|{}.!\\';
    expect(escapeTelegramMarkdownV2(reserved)).toBe([...reserved].map((c) => `\\${c}`).join(''));
    expect(escapeTelegramMarkdownV2('plain words 123')).toBe('plain words 123');
  });
  it('Discord: markdown escaped and mentions broken', () => {
    const out = escapeDiscord(HOSTILE);
    expect(out).not.toMatch(/@everyone|<@U1>/);
    expect(out).toContain('@\u200beveryone');
    expect(out).toContain('\\*b\\*');
    expect(out).toContain('\\|\\|sp\\|\\|');
    expect(out).toContain('\\[l\\]\\(http\\://e\\)');
  });
});

describe('Telegram callback_data', () => {
  it('round-trips each choice within 64 bytes', () => {
    for (const choice of [{ kind: 'option', index: 0 }, { kind: 'option', index: 99 }, { kind: 'allow' }, { kind: 'deny' }, { kind: 'always' }] as const) {
      const data = encodeCallbackData('qst_abcdefghijklmnop', choice)!;
      expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64);
      expect(decodeCallbackData(data)).toEqual({ questionId: 'qst_abcdefghijklmnop', choice });
    }
    expect(encodeCallbackData('qst_abc', { kind: 'option', index: 2 })).toBe('ar1:qst_abc:c2');
  });
  it('refuses ids it cannot carry and data that is not ours', () => {
    expect(encodeCallbackData('x'.repeat(49), { kind: 'allow' })).toBeNull();
    expect(encodeCallbackData('qst:1', { kind: 'allow' })).toBeNull();
    for (const data of ['', 'ar2:q:allow', 'ar1:q:maybe', 'ar1::allow', 'ar1:q:c', 'ar1:q:c1234', 'ar1:q:allow:x', 'ar1:<b>:deny']) expect(decodeCallbackData(data), data).toBeNull();
  });
});

describe('webhook signatures', () => {
  it('signs "<t>.<body>" and verifies in constant time within the replay window', () => {
    const header = signWebhook('k', '{"a":1}', 1_700_000_000);
    // The same value as `printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac k`.
    expect(header).toBe('t=1700000000,v1=1b6ad1bc9bf48c52ce01939866d5877c6cc4e87ddad27e16673cb8c4964394a3');
    expect(verifyWebhookSignature('k', '{"a":1}', header, 1_700_000_000)).toBe(true);
    expect(verifyWebhookSignature('k', '{"a":1}', header, 1_700_000_301)).toBe(false);
    expect(verifyWebhookSignature('k', '{"a":2}', header, 1_700_000_000)).toBe(false);
    expect(verifyWebhookSignature('k', '{"a":1}', 'garbage', 1_700_000_000)).toBe(false);
    expect(verifyWebhookSignature('k', '{"a":1}', 't=1700000000,v1=00', 1_700_000_000)).toBe(false);
  });
});
