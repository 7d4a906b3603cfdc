import { createHmac, timingSafeEqual } from 'node:crypto';

/** The signature header of a webhook delivery. */
export const SIGNATURE_HEADER = 'X-Agent-Runner-Signature';
/** How old a signature a receiver should accept (docs/notifications.md): five minutes. */
export const SIGNATURE_TOLERANCE_S = 300;

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (Stripe's scheme). Pure. */
export function signWebhook(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/**
 * Check a signature header as a receiver should (the docs' Node snippet): the MAC over the raw body,
 * compared in constant time, and a timestamp within `toleranceS` of `nowS`. Pure.
 */
export function verifyWebhookSignature(secret: string, body: string, header: string, nowS: number, toleranceS = SIGNATURE_TOLERANCE_S): boolean {
  const parts = Object.fromEntries(header.split(',').map((kv) => kv.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(nowS - t) > toleranceS || typeof parts.v1 !== 'string') return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${body}`).digest('hex'));
  const given = Buffer.from(parts.v1);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
