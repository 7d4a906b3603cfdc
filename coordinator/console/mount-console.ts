import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Context, Hono } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import { packageRoot } from '../../lib/package-root.js';
import type { CoordinatorContext } from '../http/context.js';
import { apiReader, ApiReadError } from './console-api.js';
import { followedFragments } from './followed-fragment.js';
import { CONSOLE_COOKIE, CONSOLE_LOGIN_S, consoleAccess, csrfTokenOf, mintLoginCookie, overHttps } from './console-auth.js';
import { html } from 'hono/html';
import { page } from './layout.js';
import { htmlAnswer, type ConsoleDeps, type ConsoleEnv } from './console-page.js';
import { loginPage, safeNext } from './pages/login.js';
import { mountAgentPages } from './pages/agents.js';
import { mountChatPage } from './pages/chat.js';
import { mountFleetPage } from './pages/fleet.js';
import { mountInboxPage } from './pages/inbox.js';
import { mountSessionListPage } from './pages/sessions-list.js';
import { mountSessionPages } from './pages/sessions.js';
import { mountSessionEventsFragment } from './pages/session-events.js';
import { mountWorkflowPages } from './pages/workflows.js';
import { timingSafeEqual } from 'node:crypto';

const CONTENT_TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

/** The files under /assets/: the console's own, and the vendored libraries it serves from the installed packages. */
function assetPath(file: string): string | null {
  if (file === 'mermaid.min.js') return createRequire(join(packageRoot(), 'package.json')).resolve('mermaid/dist/mermaid.min.js');
  if (!/^[a-z][a-z0-9-]*\.(?:js|css)$/.test(file)) return null;
  return join(packageRoot(), 'coordinator', 'console', 'assets', file);
}

const sameSecret = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * The console: server-rendered pages at `/` over the coordinator's own REST and SSE API, with small
 * scripts (under /assets/) that follow the API's streams and send what a person does to the API. Behind
 * the API token (a login form sets an HttpOnly, SameSite=Strict cookie) when one is configured; open on a
 * loopback coordinator without one.
 */
export function mountConsole(app: Hono, ctx: CoordinatorContext): void {
  const api = apiReader(app, ctx.apiToken);
  const console = app as unknown as Hono<ConsoleEnv>;

  app.get('/assets/:file', async (c) => {
    const path = assetPath(c.req.param('file'));
    const info = path === null ? null : await stat(path).catch(() => null);
    if (path === null || info === null || !info.isFile()) return c.text('no such asset', 404);
    const etag = `"${info.size.toString(36)}-${Math.floor(info.mtimeMs).toString(36)}"`;
    const headers = { etag, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff', 'content-type': CONTENT_TYPES[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream' };
    if (c.req.header('if-none-match') === etag) return c.body(null, 304, headers);
    return c.body(await readFile(path), 200, headers);
  });

  app.get('/login', (c) => {
    const next = safeNext(c.req.query('next'));
    if (ctx.apiToken === null || consoleAccess(ctx.apiToken, c).kind === 'cookie') return c.redirect(next, 303);
    return htmlAnswer(c, loginPage(next, null));
  });

  app.post('/login', async (c) => {
    if (ctx.apiToken === null) return c.redirect('/', 303);
    const form = await c.req.parseBody();
    const next = safeNext(typeof form.next === 'string' ? form.next : undefined);
    const token = typeof form.token === 'string' ? form.token.trim() : '';
    if (!sameSecret(token, ctx.apiToken)) {
      ctx.logger.warn({ from: c.req.header('x-forwarded-for') ?? null }, 'console sign-in refused: wrong token');
      return htmlAnswer(c, loginPage(next, token === '' ? 'token: enter the API token' : 'token: not this coordinator’s API token'), 401);
    }
    setCookie(c, CONSOLE_COOKIE, mintLoginCookie(ctx.apiToken, Date.now()), { httpOnly: true, sameSite: 'Strict', secure: overHttps(c), path: '/', maxAge: CONSOLE_LOGIN_S });
    return c.redirect(next, 303);
  });

  app.post('/logout', async (c) => {
    const access = consoleAccess(ctx.apiToken, c);
    if (access.kind === 'cookie') {
      const form = await c.req.parseBody();
      if (form.csrf !== csrfTokenOf(ctx.apiToken!, access.cookie)) return c.text('csrf: missing or not this login’s', 403);
    }
    deleteCookie(c, CONSOLE_COOKIE, { path: '/' });
    return c.redirect('/login', 303);
  });

  // Every page: let in (or sent to the login form), with the request's CSRF token at hand.
  const guard = createMiddleware<ConsoleEnv>(async (c, next) => {
    const access = consoleAccess(ctx.apiToken, c);
    if (access.kind === 'none') return c.redirect(`/login?next=${encodeURIComponent(c.req.path + (new URL(c.req.url).search ?? ''))}`, 303);
    c.set('console', { csrf: access.kind === 'cookie' ? csrfTokenOf(ctx.apiToken!, access.cookie) : '', signedIn: access.kind === 'cookie' });
    await next();
  });
  for (const path of ['/', '/sessions', '/sessions/*', '/chat', '/chat/*', '/inbox', '/workflows', '/workflows/*', '/workflow-runs/*', '/fleet', '/agents', '/agents/*']) console.use(path, guard);

  const deps: ConsoleDeps = {
    ctx,
    api,
    followed: followedFragments(ctx.changes),
    async render(c, options, status = 200) {
      const request = c.get('console');
      return htmlAnswer(c, page({ ...options, csrf: request.csrf, signedIn: request.signedIn }), status);
    },
  };

  console.get('/', (c) => c.redirect('/sessions', 303));
  mountSessionListPage(console, deps);
  mountSessionEventsFragment(console, deps);
  mountSessionPages(console, deps);
  mountChatPage(console, deps);
  mountInboxPage(console, deps);
  mountWorkflowPages(console, deps);
  mountFleetPage(console, deps);
  mountAgentPages(console, deps);
}

/**
 * A console page whose API read failed (an unknown session: 404; anything else the API refused) answers
 * as a page saying so, with the API's status; null for any other error (the app's handler answers it).
 */
export function consoleError(c: Context, error: unknown): Promise<Response> | null {
  const request = (c as Context<ConsoleEnv>).get('console');
  if (!(error instanceof ApiReadError) || request === undefined) return null;
  const title = error.status === 404 ? 'Not found' : 'Error';
  return htmlAnswer(c, page({ title, section: null, csrf: request.csrf, signedIn: request.signedIn, body: html`<p class="problem">${error.message}</p>` }), error.status);
}

