import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';

/** The console's login cookie: HttpOnly, SameSite=Strict, `Secure` when the request came over HTTPS. */
export const CONSOLE_COOKIE = 'agent_runner_console';
/** The header a page's script sends with every state-changing request it makes with the cookie. */
export const CSRF_HEADER = 'x-csrf-token';
/** How long a console login lasts. */
export const CONSOLE_LOGIN_S = 7 * 24 * 3600;

const sign = (key: string, text: string) => createHmac('sha256', key).update(text).digest('base64url');

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * A login cookie's value: `v1.<expiry s>.<nonce>.<HMAC over them keyed by the API token>`. Stateless, so
 * every replica of a shared coordinator accepts it; changing the API token signs everyone out.
 */
export function mintLoginCookie(apiToken: string, nowMs: number): string {
  const body = `v1.${Math.floor(nowMs / 1000) + CONSOLE_LOGIN_S}.${randomBytes(12).toString('base64url')}`;
  return `${body}.${sign(apiToken, `login:${body}`)}`;
}

/** Whether a login cookie is one this API token signed and has not expired. */
export function loginCookieValid(apiToken: string, value: string | undefined, nowMs: number): boolean {
  if (value === undefined) return false;
  const parts = value.split('.');
  if (parts.length !== 4 || parts[0] !== 'v1' || !/^\d{1,12}$/.test(parts[1] ?? '')) return false;
  const body = parts.slice(0, 3).join('.');
  if (!same(parts[3] ?? '', sign(apiToken, `login:${body}`))) return false;
  return Number(parts[1]) * 1000 > nowMs;
}

/** The CSRF token of a login: derived from the cookie, so only a page that was served to its holder knows it. */
export function csrfTokenOf(apiToken: string, cookie: string): string {
  return sign(apiToken, `csrf:${cookie}`);
}

/** The login cookie a request carries (undefined when none). */
export function loginCookieOf(c: Context): string | undefined {
  return getCookie(c, CONSOLE_COOKIE);
}

/**
 * How a request is let in to the user API and the console:
 * - `open`: no API token is configured (a loopback coordinator); pages need no login.
 * - `cookie`: a valid console login; state-changing requests must carry the CSRF header.
 * - `none`: neither (a bearer token is checked elsewhere).
 */
export type ConsoleAccess = { kind: 'open' } | { kind: 'cookie'; cookie: string } | { kind: 'none' };

export function consoleAccess(apiToken: string | null, c: Context, nowMs = Date.now()): ConsoleAccess {
  if (apiToken === null) return { kind: 'open' };
  const cookie = loginCookieOf(c);
  return cookie !== undefined && loginCookieValid(apiToken, cookie, nowMs) ? { kind: 'cookie', cookie } : { kind: 'none' };
}

/** Whether a request came over HTTPS (directly, or as a proxy in front says). */
export function overHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';
}

/** Whether a CSRF header matches the login it came with. */
export function csrfValid(apiToken: string, cookie: string, header: string | undefined): boolean {
  return header !== undefined && same(header, csrfTokenOf(apiToken, cookie));
}
