// The event feed in a real browser (assets/event-feed.js over the API's SSE stream and the console's
// fragment route): events a session stores after the page opened are appended in order, as the server
// rendered them; hostile text arrives as text.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useRunnerKit } from '../runner/runner-kit.js';
import { startWorkflowStack } from '../workflows/workflow-kit.js';
import { HAVE_CHROMIUM, launchBrowser, openPage, waitForText } from './console-kit.js';

// In functions that run in the page (this program has no DOM types).
declare const document: {
  body: { insertAdjacentHTML(where: string, html: string): void };
};

describe.skipIf(!HAVE_CHROMIUM)('the event feed', () => {
  const kit = useRunnerKit();

  it('appends a session’s events live, in order, escaped', async () => {
    const stack = await startWorkflowStack(kit(), 'sqlite');
    const gate = join(mkdtempSync(join(tmpdir(), 'feed-')), 'go');
    const hostile = '<img src=x onerror=alert(1)>';
    const script = {
      events: [{ type: 'message', role: 'assistant', text: 'first **message**' }],
      wait_for: gate,
      events_after: [
        { type: 'tool_call', name: 'bash', input: { cmd: 'ls' } },
        { type: 'message', role: 'assistant', text: `later ${hostile}` },
      ],
    };
    const { session_id: id } = await stack.api.createSession({ prompt: JSON.stringify(script), executor: 'scripted' });
    const browser = await launchBrowser(kit());
    const { page, errors } = await openPage(browser);
    let dialogs = 0;
    page.on('dialog', (d) => ((dialogs += 1), void d.dismiss()));
    await page.goto(`${stack.url}/fleet`);
    await page.evaluate(() => document.body.insertAdjacentHTML('beforeend', '<div id="feed" class="feed" data-last-seq="0"></div>'));
    // A string, so the test runner does not rewrite the page's import().
    await page.evaluate(`import('/assets/event-feed.js').then((m) => m.followEvents(document.getElementById('feed'), ${JSON.stringify(id)}))`);
    await waitForText(page, '#feed .event-message', 'first message');
    expect(await page.$$eval('#feed .event-tool_call', (list) => list.length)).toBe(0);

    writeFileSync(gate, '');
    await waitForText(page, '#feed .event-result', 'ok:');
    await waitForText(page, '#feed .event-message', `later ${hostile}`);
    const seqs = await page.$$eval('#feed .event', (list) => list.map((e) => Number((e as unknown as { dataset: { seq: string } }).dataset.seq)));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(await page.$$eval('#feed img', (list) => list.length)).toBe(0);
    expect(dialogs).toBe(0);
    expect(errors).toEqual([]);
  });
});
