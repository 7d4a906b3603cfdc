// The session page's tree in a real browser: a three-level tree growing and ending live (no reload), and
// a tree stopped from the page (confirmed, cascading), checked through the API, and a session that ends
// before the page's change stream opens.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HTTPRequest, Page } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import { eventually } from '../coordinator/helpers.js';
import { useRunnerKit } from '../runner/runner-kit.js';
import { startWorkflowStack, type WorkflowStack } from '../workflows/workflow-kit.js';
import { HAVE_CHROMIUM, launchBrowser, openPage, screenshot, waitForText } from './console-kit.js';

// In functions that run in the page (this program has no DOM types).
declare const document: { querySelector(selector: string): { hidden: boolean } | null };

const BUDGET_MS = 120_000;

/** A scripted session's prompt: hold until `gate` exists, then end with `text`. */
const held = (gate: string, text: string) => JSON.stringify({ wait_for: gate, result_text: text, events: [{ type: 'message', role: 'assistant', text: `working on ${text}` }] });

/** Wait until the tree shows session `id` in `status` (nested under the ancestors' selectors given). */
const treeShows = (page: Page, id: string, status: string, within = '#tree') => page.waitForSelector(`${within} li[data-session="${id}"][data-status="${status}"]`);

async function threeLevels(stack: WorkflowStack, names: string[]) {
  const gates = names.map((n) => join(stack.dir, `gate-${n}`));
  const root = await stack.api.createSession({ executor: 'scripted', prompt: held(gates[0]!, names[0]!) });
  return { gates, root };
}

describe.skipIf(!HAVE_CHROMIUM)('the session page: its tree', () => {
  const kit = useRunnerKit();

  it('shows a three-level tree growing and ending live, the selected session highlighted', { timeout: BUDGET_MS }, async () => {
    const stack = await startWorkflowStack(kit(), 'sqlite');
    const { gates, root } = await threeLevels(stack, ['root', 'child', 'grandchild']);
    const browser = await launchBrowser(kit());
    const { page, errors } = await openPage(browser);
    await page.goto(`${stack.url}/sessions/${root.session_id}`);
    await treeShows(page, root.session_id, 'running');
    await waitForText(page, '#events .event-message', 'working on root');
    expect(await page.$eval('#tree .tree-node.selected a', (a) => a.getAttribute('href'))).toBe(`/sessions/${root.session_id}`);

    // Children created through the API appear where they belong, without a reload.
    const child = await stack.api.createSession({ executor: 'scripted', prompt: held(gates[1]!, 'child'), parent_session_id: root.session_id });
    await treeShows(page, child.session_id, 'running', `#tree li[data-session="${root.session_id}"] > ul`);
    const grandchild = await stack.api.createSession({ executor: 'scripted', prompt: held(gates[2]!, 'grandchild'), parent_session_id: child.session_id });
    await treeShows(page, grandchild.session_id, 'running', `#tree li[data-session="${child.session_id}"] > ul`);
    await waitForText(page, '#tree .tree-totals', '3 sessions');
    await screenshot(page, 'session-tree-running');

    // They end one by one, deepest first; each status changes on the open page.
    writeFileSync(gates[2]!, '');
    await treeShows(page, grandchild.session_id, 'idle');
    expect(await page.$eval(`#tree li[data-session="${child.session_id}"]`, (li) => li.getAttribute('data-status'))).toBe('running');
    writeFileSync(gates[1]!, '');
    await treeShows(page, child.session_id, 'idle');
    writeFileSync(gates[0]!, '');
    await treeShows(page, root.session_id, 'idle');
    await waitForText(page, '#tree .tree-totals', 'quiet');
    await waitForText(page, '#facts .status', 'idle');
    await waitForText(page, '#result-text', 'root');
    await waitForText(page, '#runs', 'succeeded');
    await screenshot(page, 'session-tree-ended');

    // A child's page shows the same tree, itself highlighted, and links back up.
    await page.click(`#tree li[data-session="${child.session_id}"] > .tree-node a`);
    await page.waitForSelector(`#tree li[data-session="${child.session_id}"] > .tree-node.selected`);
    expect(await page.$eval('#facts', (el) => el.textContent)).toContain(root.session_id);
    expect(errors).toEqual([]);
  });

  it('shows an end that came between the page rendering and its change stream opening', { timeout: BUDGET_MS }, async () => {
    const stack = await startWorkflowStack(kit(), 'sqlite');
    const gate = join(stack.dir, 'gate');
    const { session_id: id } = await stack.api.createSession({ executor: 'scripted', prompt: held(gate, 'ended unseen') });
    const browser = await launchBrowser(kit());
    const { page, errors } = await openPage(browser);
    // GET /v1/changes is held (not sent) until the session has ended.
    let changes: HTTPRequest | undefined;
    let changesAsked!: () => void;
    const asked = new Promise<void>((resolve) => (changesAsked = resolve));
    await page.setRequestInterception(true);
    page.on('request', (request) => {
      if (!request.url().endsWith('/v1/changes')) return void request.continue();
      changes = request;
      changesAsked();
    });
    await page.goto(`${stack.url}/sessions/${id}`);
    await treeShows(page, id, 'running');
    await asked;
    writeFileSync(gate, '');
    // The session ends; the event feed (its own stream) shows it; the parts read again on a change are as rendered.
    await eventually(async () => (await stack.api.getSession(id)).status === 'idle');
    await waitForText(page, '#events .event-result', 'ended unseen');
    expect(await page.$('#result-text')).toBeNull();
    // The stream opens: the page reads its parts again, though no change comes after it opened.
    await changes!.continue();
    await waitForText(page, '#result-text', 'ended unseen');
    await treeShows(page, id, 'idle');
    await waitForText(page, '#facts .status', 'idle');
    expect(errors).toEqual([]);
  });

  it('stops a tree from the page: asks first, then cancels the session and its descendants', { timeout: BUDGET_MS }, async () => {
    const stack = await startWorkflowStack(kit(), 'sqlite');
    const { gates, root } = await threeLevels(stack, ['top', 'middle', 'bottom']);
    const child = await stack.api.createSession({ executor: 'scripted', prompt: held(gates[1]!, 'middle'), parent_session_id: root.session_id });
    const grandchild = await stack.api.createSession({ executor: 'scripted', prompt: held(gates[2]!, 'bottom'), parent_session_id: child.session_id });
    const browser = await launchBrowser(kit());
    const { page, errors } = await openPage(browser);
    await page.goto(`${stack.url}/sessions/${root.session_id}`);
    for (const s of [root, child, grandchild]) await treeShows(page, s.session_id, 'running');
    expect(await page.$eval('#stop-cascade', (el) => (el as unknown as { checked: boolean }).checked)).toBe(true);

    // A first tap only asks; Cancel leaves everything running.
    await page.click('#stop-button');
    await page.waitForSelector('#stop-confirm:not([hidden])');
    await waitForText(page, '#stop-question', 'every session below it');
    await page.click('#stop-no');
    expect(await page.evaluate(() => document.querySelector('#stop-confirm')!.hidden)).toBe(true);
    expect((await stack.api.getSession(grandchild.session_id)).status).toBe('running');

    await page.click('#stop-button');
    await page.click('#stop-yes');
    await waitForText(page, '#flash', 'descendants stopped with it');
    for (const s of [root, child, grandchild]) await treeShows(page, s.session_id, 'cancelled');
    for (const s of [root, child, grandchild]) expect((await stack.api.getSession(s.session_id)).status).toBe('cancelled');
    await waitForText(page, '#tree .tree-totals', 'quiet');
    // Ended and nothing in flight: stop is off, resume and retry on.
    await page.waitForSelector('#stop-button:disabled');
    await page.waitForSelector('#resume-button:not(:disabled)');
    await screenshot(page, 'session-tree-stopped');
    expect(errors).toEqual([]);
  });
});
