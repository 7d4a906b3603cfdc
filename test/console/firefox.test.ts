// The console in Firefox (Debian's ESR, over WebDriver BiDi): every page loads without a script error, and
// a page follows the API live (a session's cost appears on the fleet page without a reload; a session's
// events arrive on its page). The other scenarios run in Chromium; this one keeps the pages honest in the
// second engine the issue names.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useRunnerKit } from '../runner/runner-kit.js';
import { startWorkflowStack } from '../workflows/workflow-kit.js';
import { HAVE_FIREFOX, launchFirefox, openPage, screenshot, waitForText } from './console-kit.js';

const FLOW = `
name: ff-flow
jobs:
  one:
    executor: scripted
  two:
    needs: one
    executor: scripted
`;

describe.skipIf(!HAVE_FIREFOX)('the console in Firefox', () => {
  const kit = useRunnerKit();

  it('loads every page without a script error and follows the API live', { timeout: 240_000 }, async () => {
    const stack = await startWorkflowStack(kit(), 'sqlite');
    await stack.addAgent('helper', { executor: 'scripted', description: 'helps' });
    await stack.addWorkflow('ff-flow.yaml', FLOW);
    const gate = join(mkdtempSync(join(tmpdir(), 'ff-')), 'go');
    const held = await stack.api.createSession({ agent: 'helper', prompt: JSON.stringify({ events: [{ type: 'message', role: 'assistant', text: 'before' }], wait_for: gate, events_after: [{ type: 'message', role: 'assistant', text: 'after the gate' }] }) });
    const browser = await launchFirefox(kit());
    const { page, errors } = await openPage(browser);
    for (const path of ['/sessions', `/sessions/${held.session_id}`, '/chat', '/inbox', '/workflows', '/workflows/ff-flow', '/fleet', '/agents', '/agents/helper']) {
      const response = await page.goto(`${stack.url}${path}`);
      expect(response?.status(), path).toBe(200);
      await page.waitForSelector('main h1');
      await screenshot(page, `firefox${path.replace(/[^a-z0-9]+/gi, '-')}`);
    }
    // Live: the held session's later events arrive on its open page.
    await page.goto(`${stack.url}/sessions/${held.session_id}`);
    await waitForText(page, '.event-message', 'before');
    writeFileSync(gate, '');
    await waitForText(page, '.event-message', 'after the gate');
    // Live: a session's cost shows on the open fleet page.
    await page.goto(`${stack.url}/fleet`);
    await stack.api.createSession({ agent: 'helper', prompt: JSON.stringify({ cost_usd: 0.5 }) });
    await waitForText(page, '#cost-today', '$0.5000');
    expect(errors).toEqual([]);
  });
});
