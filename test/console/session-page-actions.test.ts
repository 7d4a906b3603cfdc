// The session page's actions and escaping in a real browser: resume from the chat box (the new run's
// events arrive in the same feed), retry (a new session, the page moves to it), hostile agent output and
// input shown as text (no element, no dialog made from it), and the page at phone width.
import { describe, expect, it } from 'vitest';
import { useRunnerKit } from '../runner/runner-kit.js';
import { startWorkflowStack } from '../workflows/workflow-kit.js';
import { HAVE_CHROMIUM, launchBrowser, openPage, screenshot, waitForText } from './console-kit.js';

// In functions that run in the page (this program has no DOM types).
declare const document: { documentElement: { scrollWidth: number }; querySelectorAll(selector: string): ArrayLike<unknown> };
declare const window: { innerWidth: number; location: { pathname: string } };

const BUDGET_MS = 120_000;
const HOSTILE = '<img src=x onerror=alert(1)><script>alert(2)</script>';

describe.skipIf(!HAVE_CHROMIUM)('the session page: actions', () => {
  const kit = useRunnerKit();

  it('resumes from the chat box (errors on the field), then retries as a new session', { timeout: BUDGET_MS }, async () => {
    const stack = await startWorkflowStack(kit(), 'sqlite');
    const prompt = JSON.stringify({ result_text: 'first answer', events: [{ type: 'message', role: 'assistant', text: 'hello from the **first** run' }] });
    const { session_id: id } = await stack.api.createSession({ executor: 'scripted', prompt, project_dir: stack.dir });
    const browser = await launchBrowser(kit());
    const { page, errors } = await openPage(browser);
    await page.goto(`${stack.url}/sessions/${id}`);
    await waitForText(page, '#result-text', 'first answer');
    await page.waitForSelector('#resume-button:not(:disabled)');

    // An empty prompt: the API's refusal shown on the field.
    await page.click('#resume-button');
    await page.waitForSelector('#resume-prompt[aria-invalid="true"]');
    await waitForText(page, '#resume-form .field-error', 'prompt');

    await page.type('#resume-prompt', 'and now the second part');
    await page.click('#resume-button');
    await page.waitForSelector('#resume-prompt:not([aria-invalid])');
    await waitForText(page, '#flash', 'Resumed: run');
    await waitForText(page, '#events .event-result', 'ok: and now the second part');
    await page.waitForFunction(() => document.querySelectorAll('#runs tbody tr').length === 2);
    await waitForText(page, '#runs', 'resume');
    await waitForText(page, '#result-text', 'ok: and now the second part');
    expect(await page.$eval('#resume-prompt', (el) => (el as unknown as { value: string }).value)).toBe('');
    await screenshot(page, 'session-resumed');

    // Retry: a new session with the same prompt and folder; the page moves to it.
    await page.waitForSelector('#retry-button:not(:disabled)');
    await Promise.all([page.waitForNavigation(), page.click('#retry-button')]);
    const retried = (await page.evaluate(() => window.location.pathname)).replace('/sessions/', '');
    expect(retried).not.toBe(id);
    await waitForText(page, '#flash', `as a retry of ${id}`);
    await waitForText(page, '#result-text', 'first answer');
    expect(await stack.api.getSession(retried)).toMatchObject({ prompt, project_dir: stack.dir, executor: 'scripted' });
    // The one error: the browser logging the API's 400 for the empty prompt.
    expect(errors).toEqual([expect.stringMatching(/^console: Failed to load resource: the server responded with a status of 400/)]);
  });

  it('shows hostile output, names and input as text, and reads at phone width', { timeout: BUDGET_MS }, async () => {
    const stack = await startWorkflowStack(kit(), 'sqlite');
    // Agent names cannot carry markup at all: the API refuses them.
    const named = await fetch(`${stack.url}/v1/agents/${encodeURIComponent('<b>x</b>')}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ system_prompt: 'x' }) });
    expect(named.status).toBe(400);
    const script = {
      result_text: `done ${HOSTILE}`,
      result_data: { note: HOSTILE, [HOSTILE]: [HOSTILE] },
      events: [
        { type: 'message', role: 'assistant', text: `said ${HOSTILE}` },
        { type: 'tool_call', name: `tool ${HOSTILE}`, id: 'call-1', input: { cmd: HOSTILE } },
        { type: 'tool_result', name: `tool ${HOSTILE}`, id: 'call-1', output: HOSTILE },
      ],
    };
    const root = await stack.api.createSession({ executor: 'scripted', prompt: JSON.stringify(script) });
    // A child no runner serves: its executor's name, tags and folder are markup too.
    const child = await stack.api.createSession({ executor: HOSTILE, prompt: `never runs ${HOSTILE}`, tags: [HOSTILE], project_dir: `/tmp/${HOSTILE}`, parent_session_id: root.session_id });
    // An unknown session (its id markup): a 404 page saying so, the id escaped.
    const unknown = await fetch(`${stack.url}/sessions/${encodeURIComponent(HOSTILE)}`);
    expect(unknown.status).toBe(404);
    const text = await unknown.text();
    expect(text).toContain('&lt;img src=x');
    expect(text).not.toContain(HOSTILE);
    const browser = await launchBrowser(kit());
    const { page, errors } = await openPage(browser);
    let dialogs = 0;
    page.on('dialog', (d) => ((dialogs += 1), void d.dismiss()));
    await page.goto(`${stack.url}/sessions/${root.session_id}`);
    await waitForText(page, '#result-text', `done ${HOSTILE}`);
    await waitForText(page, '#events .event-message', `said ${HOSTILE}`);
    await waitForText(page, '#events .event-tool_call summary', `tool ${HOSTILE}`);
    await waitForText(page, '#result-data', `"note": "${HOSTILE.replace(/"/g, '\\"')}"`);
    await waitForText(page, '#tree', HOSTILE);
    await waitForText(page, '#prompt', 'onerror');
    expect(await page.$$eval('main img, main script', (list) => list.length)).toBe(0);
    expect(dialogs).toBe(0);
    await screenshot(page, 'session-hostile');

    // The child's page: its executor, tags, folder and prompt.
    await page.goto(`${stack.url}/sessions/${child.session_id}`);
    await waitForText(page, 'h1', HOSTILE);
    for (const fact of [`Executor${HOSTILE}`, `Tags${HOSTILE}`, `Project/tmp/${HOSTILE}`]) await waitForText(page, '#facts', fact);
    await waitForText(page, '#prompt', `never runs ${HOSTILE}`);
    await waitForText(page, '#facts .waiting', HOSTILE);
    expect(await page.$$eval('main img, main script', (list) => list.length)).toBe(0);

    await page.setViewport({ width: 390, height: 844 });
    await waitForText(page, '#tree', HOSTILE);
    await screenshot(page, 'session-phone');
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    expect(dialogs).toBe(0);
    expect(errors).toEqual([]);
  });
});
