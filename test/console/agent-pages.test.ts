// The Agents pages in a real browser: create an agent with invalid fields (each error on its field), then a
// valid one; a second create of the same name and a stale edit refused; edit; delete. An agent's MCP tools
// listed from a loopback MCP server (signed in with the API token) and one called. Hostile descriptions,
// system prompts, tool descriptions and tool output shown as text. Phone width.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import { startTestCoordinator } from '../coordinator/helpers.js';
import { deadUrl, HOSTILE_TEXT, startMcpTestServer } from '../coordinator/mcp-test-server.js';
import { useRunnerKit } from '../runner/runner-kit.js';
import type { RunnerKit } from '../runner/runner-kit.js';
import { HAVE_CHROMIUM, launchBrowser, openPage, screenshot, textOf, waitForText } from './console-kit.js';

// In functions that run in the page (this program has no DOM types).
declare const document: {
  documentElement: { scrollWidth: number };
  querySelectorAll(selector: string): ArrayLike<{ getAttribute(name: string): string | null }>;
};
declare const window: { innerWidth: number };

async function coordinator(kit: RunnerKit, apiToken?: string, agentsDir?: string) {
  const t = await startTestCoordinator('sqlite', { ...(apiToken === undefined ? {} : { apiToken }), ...(agentsDir === undefined ? {} : { agentsDir, watchAgents: false }) });
  kit.afterCleanup(t.stop);
  const api = (method: string, path: string, body?: unknown) => t.api(method, path, body, apiToken);
  return { url: t.url, api };
}

/** Replace what an input or textarea holds with `text`, as a person would. */
async function fill(page: Page, selector: string, text: string): Promise<void> {
  await page.$eval(selector, (el) => ((el as unknown as { value: string }).value = ''));
  await page.type(selector, text);
}

/** The page does not scroll sideways at its current width. */
const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

/** No element the hostile text would have made: every <img> and <script> is the page's own. */
async function noInjectedElements(page: Page): Promise<void> {
  expect(await page.$$('img')).toHaveLength(0);
  const scripts = await page.evaluate(() => Array.from(document.querySelectorAll('script')).map((s) => s.getAttribute('src')));
  for (const src of scripts) expect(src).toMatch(/^\/assets\/[a-z-]+\.js$/);
}

describe.skipIf(!HAVE_CHROMIUM)('the Agents pages', () => {
  const kit = useRunnerKit();

  it('create with invalid fields (errors on the fields), then valid; refused twice; edit; delete', async () => {
    const agentsDir = kit().tempDir();
    writeFileSync(join(agentsDir, 'broken.json'), JSON.stringify({ name: 'broken', exectuor: 'shell' }));
    const { url, api } = await coordinator(kit(), undefined, agentsDir);
    const browser = await launchBrowser(kit());
    const { page, errors } = await openPage(browser);

    // The agents folder's bad file is listed with what is wrong with it.
    await page.goto(`${url}/agents`);
    expect(await textOf(page, '#agent-problems')).toBe('broken.json: exectuor: unknown field (did you mean "executor"?)');

    await page.goto(`${url}/agents/new`);
    await fill(page, '#agent-name', 'reviewer');
    await fill(page, '#agent-executor', 'scripted');
    await fill(page, '#agent-timeout', '-1');
    await fill(page, '#agent-other', '{"executer": "scripted", "mcp_servers": {"gh": {"type": "http"}}}');
    await page.click('#agent-form button[type="submit"]');
    // timeout_s: on its input; the unknown field and the nested one: under the JSON textarea, with their paths.
    await page.waitForSelector('#agent-timeout[aria-invalid="true"] + .field-error');
    expect(await textOf(page, '#agent-timeout + .field-error')).toMatch(/timeout_s|must|greater|positive|least/i);
    await waitForText(page, '#agent-other-errors', 'executer: unknown field (did you mean "executor"?)');
    expect(await textOf(page, '#agent-other-errors')).toContain('mcp_servers.gh.url: url is required for a http MCP server');
    expect(await page.$eval('#agent-other', (el) => el.getAttribute('aria-invalid'))).toBe('true');
    await screenshot(page, 'agent-form-errors');

    // JSON that does not parse: said under the textarea, nothing sent.
    await fill(page, '#agent-other', '{"mcp_servers": ');
    await page.click('#agent-form button[type="submit"]');
    await waitForText(page, '#agent-other-errors', 'not valid JSON');

    await fill(page, '#agent-timeout', '600');
    await fill(page, '#agent-tags', 'linux, big');
    await fill(page, '#agent-system-prompt', '\nReview the last commit.\nBe brief.');
    await fill(page, '#agent-other', '{"x-team": "docs", "budget": {"usd": 2}}');
    await Promise.all([page.waitForNavigation(), page.click('#agent-form button[type="submit"]')]);
    expect(new URL(page.url()).pathname).toBe('/agents/reviewer');
    expect(await textOf(page, '.agent-fields')).toContain('600 s');
    expect(await textOf(page, '#system-prompt')).toBe('\nReview the last commit.\nBe brief.');
    expect(JSON.parse(await textOf(page, '#other-fields'))).toEqual({ 'x-team': 'docs', budget: { usd: 2 } });
    expect((await api('GET', '/v1/agents/reviewer')).body).toEqual({
      name: 'reviewer',
      executor: 'scripted',
      timeout_s: 600,
      tags: ['linux', 'big'],
      system_prompt: '\nReview the last commit.\nBe brief.',
      'x-team': 'docs',
      budget: { usd: 2 },
    });
    await screenshot(page, 'agent-view');

    // Creating it again does not replace it.
    await page.goto(`${url}/agents/new`);
    await fill(page, '#agent-name', 'reviewer');
    await page.click('#agent-form button[type="submit"]');
    await waitForText(page, '#agent-form .form-error', 'If-None-Match: agent "reviewer" exists already');

    // An edit of a version someone else changed meanwhile is refused, and says so.
    await page.goto(`${url}/agents/reviewer/edit`);
    expect(await page.$eval('#agent-name', (el) => el.hasAttribute('readonly'))).toBe(true);
    expect((await api('PUT', '/v1/agents/reviewer', { executor: 'scripted', timeout_s: 600, description: 'changed by someone else' })).status).toBe(200);
    await fill(page, '#agent-description', 'mine');
    await page.click('#agent-form button[type="submit"]');
    await waitForText(page, '#agent-form .form-error', 'was changed since you read it');

    await page.goto(`${url}/agents/reviewer/edit`);
    expect(await page.$eval('#agent-description', (el) => (el as unknown as { value: string }).value)).toBe('changed by someone else');
    expect((await api('PUT', '/v1/agents/reviewer', { executor: 'scripted', description: 'changed by someone else', system_prompt: '\nfirst line after a blank one' })).status).toBe(200);
    await page.reload();
    expect(await page.$eval('#agent-system-prompt', (el) => (el as unknown as { value: string }).value)).toBe('\nfirst line after a blank one');
    await fill(page, '#agent-description', 'Reviews commits');
    await Promise.all([page.waitForNavigation(), page.click('#agent-form button[type="submit"]')]);
    expect(await textOf(page, '.agent-fields')).toContain('Reviews commits');

    await page.goto(`${url}/agents`);
    expect(await textOf(page, '#agents tr[data-agent="reviewer"]')).toContain('Reviews commits');
    await screenshot(page, 'agents-list');

    // Delete asks first (in the page); Cancel keeps it, the second button deletes it.
    await page.goto(`${url}/agents/reviewer`);
    await page.click('#delete-agent');
    await page.waitForSelector('#delete-confirm:not([hidden])');
    await page.click('#delete-no');
    await page.waitForSelector('#delete-confirm[hidden]', { hidden: true });
    await page.click('#delete-agent');
    await Promise.all([page.waitForNavigation(), page.click('#delete-yes')]);
    expect(new URL(page.url()).pathname).toBe('/agents');
    await page.waitForSelector('#no-agents');
    expect((await api('GET', '/v1/agents/reviewer')).status).toBe(404);
    // The browser logs the refused PUTs (the invalid one, the second create, the stale edit); nothing else.
    expect(errors.filter((e) => !/status of (400 \(Bad Request\)|412 \(Precondition Failed\))/.test(e))).toEqual([]);
    expect(errors).toHaveLength(3);
  }, 120_000);

  it("lists an agent's MCP tools (signed in with the API token) and calls one", async () => {
    const mcp = await startMcpTestServer();
    kit().afterCleanup(mcp.close);
    const down = await deadUrl();
    const { url, api } = await coordinator(kit(), 'console-secret');
    const put = await api('PUT', '/v1/agents/toolsmith', {
      mcp_servers: { tools: { url: mcp.url, headers: { 'x-api-key': 'k' } }, down: { url: down }, local: { command: 'my-server' } },
    });
    expect(put.status).toBe(201);
    const browser = await launchBrowser(kit());
    const { page, errors } = await openPage(browser);

    await page.goto(`${url}/agents/toolsmith`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.type('#token', 'console-secret');
    await Promise.all([page.waitForNavigation(), page.click('form button[type="submit"]')]);
    expect(new URL(page.url()).pathname).toBe('/agents/toolsmith');

    await page.waitForSelector('.mcp-server[data-server="tools"] li[data-tool="echo"]');
    expect(await textOf(page, '.mcp-server[data-server="tools"] li[data-tool="echo"] .tool-description')).toBe('Say the text back.');
    expect(await textOf(page, '.mcp-server[data-server="down"] .mcp-error')).toMatch(/ECONNREFUSED/);
    expect(await textOf(page, '.mcp-server[data-server="local"] .mcp-error')).toContain('stdio servers run on the runner');
    // The form starts from the first tool's input schema.
    expect(JSON.parse(await page.$eval('#mcp-arguments', (el) => (el as unknown as { value: string }).value))).toEqual({ text: '', times: 0 });

    await fill(page, '#mcp-arguments', '{"text": "hello", "times": 2}');
    await page.click('#mcp-call button[type="submit"]');
    await waitForText(page, '#mcp-result .mcp-content pre', 'hello hello');
    expect(JSON.parse(await textOf(page, '#mcp-result .mcp-structured pre'))).toEqual({ text: 'hello', times: 2 });
    expect(mcp.calls.at(-1)).toEqual({ name: 'echo', arguments: { text: 'hello', times: 2 } });
    expect(mcp.requestHeaders.at(-1)?.['x-api-key']).toBe('k');
    await screenshot(page, 'agent-mcp-tools');

    // Another tool: its skeleton replaces the arguments; a tool error shows as one.
    await page.select('#mcp-tool', await page.$eval('#mcp-tool option[data-tool="fail"]', (el) => el.getAttribute('value') ?? ''));
    expect(await page.$eval('#mcp-arguments', (el) => (el as unknown as { value: string }).value)).toBe('{}');
    await page.click('#mcp-call button[type="submit"]');
    await waitForText(page, '#mcp-result .problem', 'tools · fail: the tool reported an error');
    expect(await textOf(page, '#mcp-result .mcp-content pre')).toBe('the tool failed on purpose');

    // Arguments that are not an object: said on the form, nothing called.
    const calls = mcp.calls.length;
    await fill(page, '#mcp-arguments', '[1, 2]');
    await page.click('#mcp-call button[type="submit"]');
    await waitForText(page, '#mcp-call .form-error', 'arguments: must be a JSON object');
    expect(mcp.calls.length).toBe(calls);

    // Reload lists again (the down server is still down).
    await page.click('#mcp-reload');
    await page.waitForSelector('#mcp-servers[aria-busy="false"] .mcp-server[data-server="down"] .mcp-error');
    expect(errors).toEqual([]);

    // Signed in, the form's PUT carries the cookie, the CSRF header and If-Match.
    await page.goto(`${url}/agents/toolsmith/edit`);
    await fill(page, '#agent-description', 'Has tools');
    await Promise.all([page.waitForNavigation(), page.click('#agent-form button[type="submit"]')]);
    expect(await textOf(page, '.agent-fields')).toContain('Has tools');
    expect((await api('GET', '/v1/agents/toolsmith')).body.mcp_servers.tools.headers).toEqual({ 'x-api-key': 'k' });
    expect(errors).toEqual([]);
  }, 120_000);

  it('shows hostile agent fields, tool descriptions and tool output as text; readable at phone width', async () => {
    const mcp = await startMcpTestServer(['hostile']);
    kit().afterCleanup(mcp.close);
    const { url, api } = await coordinator(kit());
    const put = await api('PUT', '/v1/agents/mallory', {
      description: HOSTILE_TEXT,
      system_prompt: `${HOSTILE_TEXT}\n</pre><script>alert(3)</script>`,
      model: '"><img src=x onerror=alert(4)>',
      mcp_servers: { evil: { url: mcp.url } },
      'x-note': HOSTILE_TEXT,
    });
    expect(put.status).toBe(201);
    const browser = await launchBrowser(kit());
    const { page, errors } = await openPage(browser, 390);
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });

    await page.goto(`${url}/agents`);
    expect(await textOf(page, '#agents tr[data-agent="mallory"] td.clip')).toBe(HOSTILE_TEXT);
    await noInjectedElements(page);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, 'agents-list-phone');

    await page.goto(`${url}/agents/mallory`);
    expect(await textOf(page, '#system-prompt')).toBe(`${HOSTILE_TEXT}\n</pre><script>alert(3)</script>`);
    expect(await textOf(page, '.agent-fields')).toContain('"><img src=x onerror=alert(4)>');
    expect(await textOf(page, '.agent-fields')).toContain("Executorthe coordinator's default");
    await waitForText(page, '.mcp-server[data-server="evil"] .tool-description', HOSTILE_TEXT);
    await page.click('#mcp-call button[type="submit"]');
    await waitForText(page, '#mcp-result .mcp-content pre', HOSTILE_TEXT);
    await noInjectedElements(page);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, 'agent-view-phone');

    await page.goto(`${url}/agents/mallory/edit`);
    expect(await page.$eval('#agent-description', (el) => (el as unknown as { value: string }).value)).toBe(HOSTILE_TEXT);
    expect(await page.$eval('#agent-model', (el) => (el as unknown as { value: string }).value)).toBe('"><img src=x onerror=alert(4)>');
    await noInjectedElements(page);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, 'agent-form-phone');
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
  }, 120_000);
});
