// The fleet page in a real browser: a runner online with its slots and executors, queue figures and cost
// per agent today, kept current as sessions run (no reload); readable at phone width.
import { describe, expect, it } from 'vitest';
import { useRunnerKit } from '../runner/runner-kit.js';
import { startWorkflowStack } from '../workflows/workflow-kit.js';
import { HAVE_CHROMIUM, launchBrowser, openPage, screenshot, waitForText } from './console-kit.js';

// In functions that run in the page (this program has no DOM types).
declare const document: { documentElement: { scrollWidth: number } };
declare const window: { innerWidth: number };

describe.skipIf(!HAVE_CHROMIUM)('the fleet page', () => {
  const kit = useRunnerKit();

  it('shows the runner, its slots, and the day’s cost per agent, live', async () => {
    const stack = await startWorkflowStack(kit(), 'sqlite', { concurrency: 3 });
    await stack.addAgent('pricey', { executor: 'scripted' });
    const browser = await launchBrowser(kit());
    const { page, errors } = await openPage(browser);
    await page.goto(`${stack.url}/fleet`);
    await waitForText(page, '#runners td', 'scripted, shell, test-executor');
    expect(await page.$eval('[data-figure="slots"] .figure', (el) => el.textContent)).toBe('0/3');

    // A session that costs something: the page shows it without a reload.
    await stack.api.createSession({ agent: 'pricey', prompt: JSON.stringify({ cost_usd: 0.25 }) });
    await waitForText(page, '#cost-today', '$0.2500');
    expect(await page.$eval('#cost-today tbody', (el) => el.textContent)).toContain('pricey');
    await screenshot(page, 'fleet');

    await page.setViewport({ width: 390, height: 844 });
    await screenshot(page, 'fleet-phone');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(errors).toEqual([]);
  });
});
