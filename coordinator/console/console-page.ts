import type { Context } from 'hono';
import { HtmlEscapedCallbackPhase, resolveCallback } from 'hono/utils/html';
import type { CoordinatorContext } from '../http/context.js';
import type { ApiReader } from './console-api.js';
import type { FollowedFragments } from './followed-fragment.js';
import type { Html, PageOptions } from './layout.js';

/** What a page handler knows of the request it serves: the CSRF token its page carries, whether a login let it in. */
export interface ConsoleRequest {
  csrf: string;
  signedIn: boolean;
}

export type ConsoleEnv = { Variables: { console: ConsoleRequest } };

/** What the console's pages share: the coordinator, and a reader of its API. */
export interface ConsoleDeps {
  ctx: CoordinatorContext;
  api: ApiReader;
  /** Fragments every page following `GET /v1/changes` reads again, shared between them. */
  followed: FollowedFragments;
  /** Answer a page in the console's frame (the request's CSRF token and sign-out button filled in). */
  render(c: Context<ConsoleEnv>, options: Omit<PageOptions, 'csrf' | 'signedIn'>, status?: number): Promise<Response>;
}

/** Headers of every console page: no script but our own files, no framing, no sniffing. */
export const PAGE_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

/**
 * Answer `body` as an HTML page (with PAGE_HEADERS). The body goes out as a plain string: Hono's
 * node server sends that straight to the socket, where an `html` template's String object makes it build
 * a whole fetch Response and stream it (a third of the CPU of a fragment read).
 */
export async function htmlAnswer(c: Context, body: Html | string, status = 200): Promise<Response> {
  const text = typeof body === 'string' ? body : String(await resolveCallback(await body, HtmlEscapedCallbackPhase.Stringify, false, {}));
  return c.html(text, status as 200, PAGE_HEADERS);
}

/** An HTML fragment answer (a page's script asks for one part of it again). */
export function fragment(c: Context, body: Html | string): Promise<Response> {
  return htmlAnswer(c, body);
}
