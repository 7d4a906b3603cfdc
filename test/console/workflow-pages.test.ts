// The Workflows pages in a real browser, over a real coordinator and runner: run a workflow from its page's
// form (a bad input shown on its field first), watch its graph change state live, see it fail, resume it,
// see it succeed and its report; cancel a running run; hostile labels, outputs and files shown as text;
// readable at phone width.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import { eventually } from '../coordinator/helpers.js';
import { useRunnerKit } from '../runner/runner-kit.js';
import { startWorkflowStack } from '../workflows/workflow-kit.js';
import { clickLive, HAVE_CHROMIUM, launchBrowser, openPage, screenshot, textOf, waitForText } from './console-kit.js';

// In functions that run in the page (this program has no DOM types).
declare const document: {
  documentElement: { scrollWidth: number };
  querySelector(selector: string): { textContent: string | null } | null;
  querySelectorAll(selector: string): ArrayLike<unknown>;
};
declare const window: { innerWidth: number; getComputedStyle(el: unknown): { fill: string } };

const HOSTILE = '<img src=x onerror=alert(1)><script>alert(2)</script>';

/** Wait until the graph's node of `job` is drawn in `state`. */
async function nodeState(page: Page, job: string, state: string): Promise<void> {
  await page.waitForSelector(`.graph-svg g.node[data-job="${job}"][data-state="${state}"]`);
}

/** The fill colour of the shape of `job`'s node (its state's class colours it). */
async function nodeFill(page: Page, job: string): Promise<string> {
  return page.$eval(`.graph-svg g.node[data-job="${job}"] > :first-child`, (shape) => window.getComputedStyle(shape).fill);
}

async function noPageOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

describe.skipIf(!HAVE_CHROMIUM)('the workflows pages', { timeout: 120_000 }, () => {
  const kit = useRunnerKit();

  it('runs a workflow from its form (a bad input on its field), shows its graph live, resumes it after a failure', async () => {
    const stack = await startWorkflowStack(kit(), 'sqlite');
    const hold = join(stack.dir, 'hold');
    const ok = join(stack.dir, 'ok');
    await stack.addWorkflow(
      'flaky.yaml',
      `
name: flaky
description: builds, checks (fails until a file exists), ships
inputs:
  label: {type: string, required: true, description: what to call the build}
  count: {type: number, default: 2}
  mode: {type: choice, options: [fast, slow], default: fast}
  dry: {type: boolean, default: false}
jobs:
  build:
    executor: scripted
    with: {wait_for: ${JSON.stringify(hold)}, result_data: {version: "\${{ inputs.label }}-\${{ inputs.count }}"}}
  check:
    needs: build
    run: test -f ${JSON.stringify(ok)}
  ship:
    needs: check
    executor: scripted
    prompt: ship
`,
    );
    const browser = await launchBrowser(kit());
    const { page, errors } = await openPage(browser);
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });

    // The list: the workflow with its file and job count.
    await page.goto(`${stack.url}/workflows`);
    await waitForText(page, '#workflows', 'flaky.yaml');
    expect(await textOf(page, '#workflows tr[data-workflow="flaky"]')).toContain('builds, checks');
    await screenshot(page, 'workflows');

    // Its page: the graph drawn, the typed form with the defaults.
    await page.click('#workflows a[href="/workflows/flaky"]');
    await page.waitForSelector('.graph-svg g.node[data-job="ship"]');
    expect(await page.$eval('[name="inputs.count"]', (el) => (el as unknown as { value: string }).value)).toBe('2');
    expect(await page.$eval('[name="inputs.mode"]', (el) => (el as unknown as { value: string }).value)).toBe('fast');
    expect(await page.$eval('[name="inputs.dry"]', (el) => (el as unknown as { type: string }).type)).toBe('checkbox');

    // A required input left empty and a number that is not one: the API's issues on their fields.
    await page.$eval('[name="inputs.count"]', (el) => ((el as unknown as { value: string }).value = ''));
    await page.type('[name="inputs.count"]', 'three');
    await page.click('#run-form button[type="submit"]');
    await page.waitForSelector('[name="inputs.label"][aria-invalid="true"] + .field-error');
    expect(await textOf(page, '[name="inputs.label"] + .field-error')).toContain('is required');
    expect(await textOf(page, '[name="inputs.count"] + .field-error')).toContain('must be a number');
    await screenshot(page, 'workflow-form-errors');

    // Fixed: it starts, and the page of the run opens.
    await page.type('[name="inputs.label"]', 'rc');
    await page.$eval('[name="inputs.count"]', (el) => ((el as unknown as { value: string }).value = '7'));
    await Promise.all([page.waitForNavigation(), page.click('#run-form button[type="submit"]')]);
    expect(page.url()).toMatch(/\/workflow-runs\/[^/]+$/);
    await nodeState(page, 'build', 'running');
    expect(await nodeFill(page, 'build')).toBe('rgb(221, 244, 255)');
    expect(await page.$eval('#run-cancel', (b) => (b as unknown as { disabled: boolean }).disabled)).toBe(false);
    expect(await page.$eval('#run-resume', (b) => (b as unknown as { disabled: boolean }).disabled)).toBe(true);
    await screenshot(page, 'workflow-run-running');

    // Let build go: check fails (no file yet), ship is skipped, the run ends failed with its report.
    writeFileSync(hold, '');
    await nodeState(page, 'build', 'succeeded');
    await nodeState(page, 'check', 'failed');
    await nodeState(page, 'ship', 'skipped');
    expect(await nodeFill(page, 'check')).toBe('rgb(255, 235, 233)');
    await waitForText(page, '#run-status', 'failed');
    await page.waitForSelector('#report');
    expect(await textOf(page, '#jobs tr[data-job="build"]')).toContain('rc-7');
    expect(await textOf(page, '#report-problems')).toContain('check');
    await page.waitForSelector('#run-resume:not([disabled])');
    await screenshot(page, 'workflow-run-failed');

    // Resume: the failed job (and what needs it) runs again and succeeds; build is reused.
    writeFileSync(ok, '');
    await clickLive(page, '#run-resume:not([disabled])');
    await nodeState(page, 'check', 'succeeded');
    await nodeState(page, 'ship', 'succeeded');
    await waitForText(page, '#run-status', 'succeeded');
    await waitForText(page, '#report', 'Critical path');
    expect(await textOf(page, '#run-head')).toContain('attempt 2');
    expect(await textOf(page, '#critical-path')).toMatch(/build.*check.*ship/);
    expect(await page.$eval('#run-resume', (b) => (b as unknown as { disabled: boolean }).disabled)).toBe(true);
    expect(stack.calls().filter((c) => c.workflow?.job === 'build')).toHaveLength(1);
    await screenshot(page, 'workflow-run-resumed');

    // The workflow's page lists the run.
    await page.goto(`${stack.url}/workflows/flaky`);
    await waitForText(page, '#workflow-runs', 'succeeded');

    expect(dialogs).toEqual([]);
    // The one error the page saw: the browser's note of the API's 422 for the bad inputs.
    expect(errors.filter((e) => !e.includes('status of 422'))).toEqual([]);
  });

  it('cancels a running run from its page; hostile labels, outputs and broken files show as text; phone width', async () => {
    const stack = await startWorkflowStack(kit(), 'sqlite');
    const hold = join(stack.dir, 'hold');
    await stack.addWorkflow(
      'hostile.yaml',
      `
name: hostile
description: ${JSON.stringify(`desc ${HOSTILE}`)}
jobs:
  loud:
    executor: scripted
    with: {result_data: {html: ${JSON.stringify(HOSTILE)}}}
  echo_html:
    needs: loud
    run: ${JSON.stringify(`echo '${HOSTILE}'`)}
  wait:
    needs: echo_html
    executor: scripted
    with: {wait_for: ${JSON.stringify(hold)}}
  after:
    needs: wait
    executor: scripted
    prompt: after
`,
    );
    // A broken file: its problem is listed with file:line:col.
    writeFileSync(join(stack.workflowsDir, 'broken.yaml'), 'name: broken\njobs:\n  a:\n    executor: scripted\n    needs: [nope]\n');
    await fetch(`${stack.url}/v1/workflows/reload`, { method: 'POST' });

    const browser = await launchBrowser(kit());
    const { page, errors } = await openPage(browser);
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`${stack.url}/workflows`);
    await waitForText(page, '#workflow-problems', 'broken.yaml');
    expect(await textOf(page, '#workflow-problems')).toMatch(/broken\.yaml:\d+:\d+/);
    expect(await textOf(page, '#workflows')).toContain(`desc ${HOSTILE}`);

    // A run started elsewhere shows in the recent runs without a reload.
    const started = await stack.api.startWorkflowRun({ workflow: 'hostile' });
    await page.waitForSelector(`#recent-runs tr[data-run="${started.workflow_run_id}"]`);
    await page.goto(`${stack.url}/workflow-runs/${started.workflow_run_id}`);
    await nodeState(page, 'wait', 'running');
    await nodeState(page, 'loud', 'succeeded');
    // The command's HTML is text in the graph and the table; the output too.
    await waitForText(page, '.graph-svg', "echo '<img");
    expect(await textOf(page, '#jobs tr[data-job="echo_html"]')).toContain(`$ echo '${HOSTILE}'`);
    await waitForText(page, '#jobs tr[data-job="loud"]', HOSTILE);
    expect(await page.evaluate(() => document.querySelectorAll('main img, main script, .graph-svg foreignObject script').length)).toBe(0);
    await screenshot(page, 'workflow-run-hostile');

    // Cancel: the job in flight stops, what needs it is skipped, the run ends cancelled; Resume offered.
    await clickLive(page, '#run-cancel:not([disabled])');
    await waitForText(page, '#run-status', 'cancelled');
    await nodeState(page, 'wait', 'cancelled');
    await nodeState(page, 'after', 'skipped');
    await page.waitForSelector('#run-resume:not([disabled])');
    await page.waitForSelector('#run-cancel[disabled]');
    await page.waitForSelector('#report');
    expect((await stack.api.getWorkflowRun(started.workflow_run_id)).status).toBe('cancelled');

    await page.setViewport({ width: 390, height: 844 });
    await screenshot(page, 'workflow-run-phone');
    expect(await noPageOverflow(page)).toBeLessThanOrEqual(0);
    await page.goto(`${stack.url}/workflows/hostile`);
    await page.waitForSelector('.graph-svg g.node[data-job="after"]');
    await screenshot(page, 'workflow-phone');
    expect(await noPageOverflow(page)).toBeLessThanOrEqual(0);
    await page.goto(`${stack.url}/workflows`);
    await screenshot(page, 'workflows-phone');
    expect(await noPageOverflow(page)).toBeLessThanOrEqual(0);

    // Unknown names answer as pages saying so, with the API's 404.
    const missingRun = await page.goto(`${stack.url}/workflow-runs/wr_nope`);
    expect(missingRun?.status()).toBe(404);
    expect(await textOf(page, 'main')).toContain('wr_nope');
    const missingWorkflow = await page.goto(`${stack.url}/workflows/nope`);
    expect(missingWorkflow?.status()).toBe(404);
    expect(await textOf(page, 'main')).toContain('known: hostile');

    expect(dialogs).toEqual([]);
    // The browser notes the two 404 pages; nothing else went wrong.
    expect(errors.filter((e) => !e.includes('status of 404'))).toEqual([]);
  });

  it('shows a gate waiting for approval, linked to the inbox, until it is answered', async () => {
    const stack = await startWorkflowStack(kit(), 'sqlite');
    await stack.addWorkflow(
      'gated.yaml',
      `
name: gated
jobs:
  approve:
    gate: {question: ${JSON.stringify(`Ship ${HOSTILE}?`)}}
  ship:
    needs: approve
    executor: scripted
    prompt: ship
`,
    );
    const started = await stack.api.startWorkflowRun({ workflow: 'gated' });
    const browser = await launchBrowser(kit());
    const { page, errors } = await openPage(browser);
    await page.goto(`${stack.url}/workflow-runs/${started.workflow_run_id}`);
    await nodeState(page, 'approve', 'waiting');
    expect(await nodeFill(page, 'approve')).toBe('rgb(251, 239, 255)');
    await waitForText(page, '#jobs tr[data-job="approve"] a.wf-gate[href="/inbox"]', 'waiting for approval');
    await waitForText(page, '.graph-svg', `gate: Ship <img`);
    expect(await page.evaluate(() => document.querySelectorAll('main img, main script').length)).toBe(0);
    await screenshot(page, 'workflow-run-gate');

    const question = await eventually(async () => {
      const res = await fetch(`${stack.url}/v1/questions?root=${started.root_session_id}`);
      const body = (await res.json()) as { questions: { question_id: string; status: string }[] };
      return body.questions.find((q) => q.status === 'open');
    });
    const res = await fetch(`${stack.url}/v1/questions/${question.question_id}/answer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'allow', answered_by: 'ada' }),
    });
    expect(res.status).toBe(200);
    await nodeState(page, 'ship', 'succeeded');
    await waitForText(page, '#run-status', 'succeeded');
    expect(await page.$('a.wf-gate')).toBeNull();
    expect(errors).toEqual([]);
  });
});
