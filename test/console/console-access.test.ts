// Who gets into the console and what a browser may send: the login form (a coordinator with an API token,
// listening off loopback), the cookie's attributes, the CSRF header on the API, cross-site requests refused
// (with and without a login, on a loopback coordinator with no token too), and a DNS-rebinding Host refused.
import { createServer, request, type Server } from 'node:http';
import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { startCoordinator } from '../../coordinator/start-coordinator.js';
import { freshDatabase } from '../coordinator/helpers.js';
import { useRunnerKit } from '../runner/runner-kit.js';
import { freePort } from '../helpers/fixtures.js';
import { HAVE_CHROMIUM, launchBrowser, openPage, screenshot, textOf, waitForText } from './console-kit.js';

const TOKEN = 'console-test-token-0123456789';

/** This machine's first address that is not loopback (the coordinator listens there), else loopback. */
function offLoopbackAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

async function startWithToken(kit: ReturnType<ReturnType<typeof useRunnerKit>>, host = '127.0.0.1', apiToken: string | null = TOKEN) {
  const db = await freshDatabase('sqlite');
  const coordinator = await startCoordinator({ port: 0, host, agentsDir: null, logLevel: 'silent', apiToken, ...db });
  kit.afterCleanup(async () => (await coordinator.close(), await db.drop()));
  return coordinator.url;
}

/** Sign in with fetch: the cookie header to send, and the CSRF token a page carries. */
async function signIn(url: string): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${url}/login`, { method: 'POST', body: new URLSearchParams({ token: TOKEN, next: '/fleet' }), redirect: 'manual' });
  expect(res.status).toBe(303);
  const setCookie = res.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0]!;
  const page = await (await fetch(`${url}/fleet`, { headers: { cookie } })).text();
  const csrf = /<meta name="csrf-token" content="([^"]*)">/.exec(page)?.[1] ?? '';
  return { cookie, csrf };
}

const json = { 'content-type': 'application/json' };

/** GET `url` with this Host header (fetch does not let a caller set one). */
function statusWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host } }, (res) => (res.resume(), resolve(res.statusCode ?? 0)));
    req.on('error', reject);
    req.end();
  });
}

describe('console access', () => {
  const kit = useRunnerKit();

  it('sends a page without a login to the form, and signs in with the API token only', async () => {
    const url = await startWithToken(kit());
    const page = await fetch(`${url}/sessions?status=failed`, { redirect: 'manual' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/login?next=%2Fsessions%3Fstatus%3Dfailed');

    const wrong = await fetch(`${url}/login`, { method: 'POST', body: new URLSearchParams({ token: 'nope', next: '/fleet' }), redirect: 'manual' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    expect(await wrong.text()).toContain('not this coordinator’s API token');

    const right = await fetch(`${url}/login`, { method: 'POST', body: new URLSearchParams({ token: TOKEN, next: '/fleet' }), redirect: 'manual' });
    expect(right.status).toBe(303);
    expect(right.headers.get('location')).toBe('/fleet');
    const setCookie = right.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).not.toContain(TOKEN);
  });

  it('never redirects elsewhere after signing in', async () => {
    const url = await startWithToken(kit());
    for (const next of ['//evil.example/x', 'https://evil.example', '/\\evil.example', 'javascript:alert(1)', '/ok\nSet-Cookie: x=1']) {
      const res = await fetch(`${url}/login`, { method: 'POST', body: new URLSearchParams({ token: TOKEN, next }), redirect: 'manual' });
      expect(res.headers.get('location'), next).toBe('/');
    }
  });

  it('lets a login read the API, and change it only with the page’s CSRF token', async () => {
    const url = await startWithToken(kit());
    const { cookie, csrf } = await signIn(url);
    expect(csrf).toMatch(/^[\w-]{20,}$/);
    expect((await fetch(`${url}/v1/sessions`, { headers: { cookie } })).status).toBe(200);

    const bare = await fetch(`${url}/v1/sessions`, { method: 'POST', headers: { ...json, cookie }, body: JSON.stringify({ prompt: 'x' }) });
    expect(bare.status).toBe(403);
    expect(((await bare.json()) as { error: { message: string } }).error.message).toContain('x-csrf-token');
    const forged = await fetch(`${url}/v1/sessions`, { method: 'POST', headers: { ...json, cookie, 'x-csrf-token': `${csrf}x` }, body: JSON.stringify({ prompt: 'x' }) });
    expect(forged.status).toBe(403);
    const ok = await fetch(`${url}/v1/sessions`, { method: 'POST', headers: { ...json, cookie, 'x-csrf-token': csrf }, body: JSON.stringify({ prompt: 'x' }) });
    expect(ok.status).toBe(201);

    // The same request, said to come from another site, is refused even with both.
    const crossSite: Record<string, string>[] = [{ origin: 'http://evil.example' }, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }, { origin: 'null' }];
    for (const headers of crossSite) {
      const res = await fetch(`${url}/v1/sessions`, { method: 'POST', headers: { ...json, cookie, 'x-csrf-token': csrf, ...headers }, body: JSON.stringify({ prompt: 'x' }) });
      expect(res.status, JSON.stringify(headers)).toBe(403);
    }
    // A bearer token needs no CSRF token (it is not sent by a browser on its own).
    expect((await fetch(`${url}/v1/sessions`, { method: 'POST', headers: { ...json, authorization: `Bearer ${TOKEN}` }, body: JSON.stringify({ prompt: 'x' }) })).status).toBe(201);
  });

  it('refuses cookies it did not sign, and signs out only with the page’s token', async () => {
    const url = await startWithToken(kit());
    for (const cookie of ['agent_runner_console=v1.9999999999.abc.def', `agent_runner_console=${'x'.repeat(4000)}`, 'agent_runner_console=v1.1.a.b.c']) {
      expect((await fetch(`${url}/sessions`, { headers: { cookie }, redirect: 'manual' })).status).toBe(303);
      expect((await fetch(`${url}/v1/sessions`, { headers: { cookie } })).status).toBe(401);
    }
    const { cookie, csrf } = await signIn(url);
    expect((await fetch(`${url}/logout`, { method: 'POST', headers: { cookie }, body: new URLSearchParams({}), redirect: 'manual' })).status).toBe(403);
    const out = await fetch(`${url}/logout`, { method: 'POST', headers: { cookie }, body: new URLSearchParams({ csrf }), redirect: 'manual' });
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toMatch(/agent_runner_console=;/);
  });

  it('on loopback without a token: no login, but no cross-site write and no foreign Host', async () => {
    const url = await startWithToken(kit(), '127.0.0.1', null);
    expect((await fetch(`${url}/fleet`, { redirect: 'manual' })).status).toBe(200);
    // A "simple" cross-site POST (text/plain, no preflight) is refused; nothing is created.
    const res = await fetch(`${url}/v1/sessions`, { method: 'POST', headers: { 'content-type': 'text/plain', origin: 'http://evil.example' }, body: JSON.stringify({ prompt: 'pwned' }) });
    expect(res.status).toBe(403);
    // What a DNS-rebinding page sends: our address, its own name as the Host.
    expect(await statusWithHost(`${url}/v1/sessions`, 'evil.example')).toBe(403);
    expect(await statusWithHost(`${url}/v1/sessions`, 'localhost:1234')).toBe(200);
    const list = (await (await fetch(`${url}/v1/sessions`)).json()) as { sessions: unknown[] };
    expect(list.sessions).toEqual([]);
  });
});

describe.skipIf(!HAVE_CHROMIUM)('console access in a browser', () => {
  const kit = useRunnerKit();

  it('signs in off loopback, and another site’s page cannot post with the login', async () => {
    const host = offLoopbackAddress();
    const url = await startWithToken(kit(), host === '127.0.0.1' ? '0.0.0.0' : host);
    const base = url.replace('0.0.0.0', '127.0.0.1');
    const browser = await launchBrowser(kit());
    const { page, errors } = await openPage(browser);

    await page.goto(`${base}/sessions`);
    expect(page.url()).toContain('/login?next=%2Fsessions');
    await page.type('#token', 'wrong-token');
    await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
    expect(await textOf(page, '#token-error')).toContain('not this coordinator’s API token');
    expect(await page.$eval('#token', (el) => (el as unknown as { getAttribute(n: string): string | null }).getAttribute('aria-invalid'))).toBe('true');
    await screenshot(page, 'login-error');
    await page.type('#token', TOKEN);
    await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
    expect(new URL(page.url()).pathname).toBe('/sessions');
    const cookies = await browser.cookies();
    const login = cookies.find((c) => c.name === 'agent_runner_console');
    expect(login?.httpOnly).toBe(true);
    expect(login?.sameSite).toBe('Strict');

    // Another origin on the same machine (same site: only the port differs) tries to post with the login.
    const port = await freePort();
    const evil: Server = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><form id="f" method="post" action="${base}/v1/sessions" enctype="text/plain"><input name='{"prompt":"pwned","x":"' value='"}'></form>
<script>fetch(${JSON.stringify(`${base}/v1/sessions`)}, {method: 'POST', mode: 'no-cors', credentials: 'include', body: '{"prompt":"pwned"}'}).finally(() => { document.title = 'sent'; document.getElementById('f').submit(); });</script>`);
    });
    await new Promise<void>((resolve) => evil.listen(port, '127.0.0.1', resolve));
    kit().afterCleanup(() => new Promise((resolve) => (evil.closeAllConnections(), evil.close(() => resolve()))));
    const attacker = await browser.newPage();
    await attacker.goto(`http://127.0.0.1:${port}/`);
    await attacker.waitForFunction(() => location.href.includes('/v1/sessions'));
    await waitForText(attacker, 'body', 'cross-site request refused');
    await screenshot(attacker, 'cross-site-refused');
    const list = (await (await fetch(`${base}/v1/sessions`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { sessions: unknown[] };
    expect(list.sessions, JSON.stringify(list.sessions)).toEqual([]);
    // The wrong token's answer (401) is the one failed load the browser logs.
    expect(errors.filter((e) => !e.includes('status of 401'))).toEqual([]);
  });
});

declare const location: { href: string };
