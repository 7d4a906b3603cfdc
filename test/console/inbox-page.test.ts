// The inbox page in a real browser, over a real coordinator and runner whose sessions ask through the MCP
// tools (the mcp-driver executor calls request_approval / ask_user and waits for the answer): questions and
// approvals arrive without a reload, are answered from the page, go when answered elsewhere (a 409 says
// who), keep what a person is typing across refreshes, show hostile text as text; readable at phone width.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../protocol/events.js';
import { McpTestBed } from '../mcp/harness.js';
import { useRunnerKit, type RunnerKit } from '../runner/runner-kit.js';
import { HAVE_CHROMIUM, launchBrowser, openPage, screenshot, waitForText } from './console-kit.js';

// In functions that run in the page (this program has no DOM types).
declare const document: {
  documentElement: { scrollWidth: number };
  activeElement: { id: string } | null;
  querySelector(selector: string): { value: string; innerText: string } | null;
  querySelectorAll(selector: string): ArrayLike<unknown>;
};
declare const window: { innerWidth: number };

type Call = { tool: string; is_error: boolean; data: Record<string, unknown> };
const calls = (view: { result: { result_data?: unknown } | null }) => (view.result?.result_data as { calls: Call[] }).calls;
const isQuestion = (e: SessionEvent) => e.type === 'question';

/** A coordinator with a runner serving the MCP driver, and a browser; all closed at the test's end. */
async function start(kit: RunnerKit) {
  const bed = await McpTestBed.start();
  kit.afterCleanup(() => bed.close());
  const browser = await launchBrowser(kit);
  const watched = await openPage(browser);
  const dialogs: string[] = [];
  watched.page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  /** Start a driver session whose steps ask; resolves with its session and question ids once it asked. */
  const asks = async (steps: unknown[]) => {
    const id = await bed.drive(steps);
    const event = await bed.waitForEvent(id, isQuestion);
    return { id, qid: String((event.event as { question_id?: unknown }).question_id) };
  };
  return { bed, ...watched, dialogs, asks };
}

const card = (qid: string) => `article[data-question="${qid}"]`;

/**
 * Type into a field of a card as a person would: focus it first (in one step of the page, so the list
 * being read again cannot swap the card between finding the field and focusing it), then type.
 */
async function typeInto(page: Page, selector: string, text: string): Promise<void> {
  await page.waitForFunction((sel: string) => {
    const field = document.querySelector(sel) as unknown as { focus(): void } | null;
    field?.focus();
    return field !== null && document.activeElement === (field as unknown);
  }, {}, selector);
  await page.keyboard.type(text);
}
const gone = (page: Page, qid: string) => page.waitForFunction((sel: string) => document.querySelectorAll(sel).length === 0, {}, card(qid));

describe.skipIf(!HAVE_CHROMIUM)('the inbox page', () => {
  const kit = useRunnerKit();

  it('an approval appears live with its exact tool call; Allow (for the session, with a note) reaches the agent, which goes on', { timeout: 90_000 }, async () => {
    const { bed, page, errors, dialogs, asks } = await start(kit());
    await page.goto(`${bed.coordinator.url}/inbox`);
    await waitForText(page, '.inbox-summary', 'Nothing is waiting');
    await page.type('#answer-as', 'dana');

    const { id, qid } = await asks([
      { tool: 'request_approval', args: { tool: 'Bash', input: { command: 'rm -rf build', cwd: '/srv/app' }, reason: 'Clean the build\nbefore the **release**.' } },
      { tool: 'request_approval', args: { tool: 'Bash', input: { command: 'ls' } } },
    ]);
    // It arrives on the open page, no reload: who asks, the tool, its input as pretty JSON, the details (lines kept).
    await page.waitForSelector(card(qid));
    expect(await page.$eval(`${card(qid)} .q-tool`, (el) => el.textContent)).toBe('Bash');
    expect(await page.$eval(`${card(qid)} pre.q-input`, (el) => el.textContent)).toBe(JSON.stringify({ command: 'rm -rf build', cwd: '/srv/app' }, null, 2));
    expect(await page.$eval(`${card(qid)} .q-who a`, (el) => [el.textContent, el.getAttribute('href')])).toEqual([id, `/sessions/${id}`]);
    expect(await page.$eval(`${card(qid)} .q-details-text`, (el) => (el as unknown as { innerText: string }).innerText)).toBe('Clean the build\nbefore the release.');
    expect(await page.$eval(`${card(qid)} .q-details-text strong`, (el) => el.textContent)).toBe('release'); // details are markdown
    await waitForText(page, '.inbox-summary', '1 waiting: 1 approval, 0 questions');
    await screenshot(page, 'inbox-approval');

    await typeInto(page, `#note-${qid}`, 'careful with that');
    await page.click(`#remember-${qid}`);
    await page.click(`${card(qid)} button[value="allow"]`);
    await gone(page, qid);
    await waitForText(page, '#flash', `Answered ${qid}: answered (allow) by console:dana`);

    // The agent got the answer and went on (its second Bash call was remembered: not asked again), and ended.
    const view = await bed.waitEnded(id);
    const [first, second] = calls(view);
    expect(first!.data).toMatchObject({ question_id: qid, decision: 'allow', remember: true, message: 'careful with that', answered_by: 'console:dana' });
    expect(second!.data).toMatchObject({ decision: 'allow', remembered: true });
    expect(await bed.user.getQuestion(qid)).toMatchObject({ status: 'answered', answered_by: 'console:dana', answer: { decision: 'allow', remember: true } });
    // "Recently answered" shows it, with who answered.
    await waitForText(page, `#inbox-recent li[data-question="${qid}"]`, 'by console:dana');
    expect(await page.$eval(`#inbox-recent li[data-question="${qid}"] .q-closed-answer`, (el) => el.textContent)).toBe('→ allow (for this session) — careful with that');
    await waitForText(page, '.inbox-summary', 'Nothing is waiting');
    await screenshot(page, 'inbox-answered');
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('a question with options (a button each) and a free-text one; typed text survives the list refreshing; deny with a message', { timeout: 90_000 }, async () => {
    const { bed, page, errors, asks } = await start(kit());
    const pick = await asks([{ tool: 'escalate_decision', args: { question: 'Which region?', options: ['eu-west', 'us-east'], urgency: 'high' } }]);
    const free = await asks([{ tool: 'ask_user', args: { question: 'What should the release be called?\nOne word, please.', urgency: 'low', timeout_s: 3600 } }]);
    await page.goto(`${bed.coordinator.url}/inbox`);
    // Most urgent first: the high-urgency question leads, the low one comes last.
    const order = async () => page.$$eval('#inbox-open article[data-question]', (els) => els.map((el) => el.getAttribute('data-question')));
    expect(await order()).toEqual([pick.qid, free.qid]);
    expect(await page.$eval(`${card(pick.qid)} .q-options`, (el) => Array.from(el.querySelectorAll('button')).map((b) => (b as { textContent: string | null }).textContent))).toEqual(['eu-west', 'us-east']);
    expect(await page.$eval(`${card(free.qid)} .q-text`, (el) => (el as unknown as { innerText: string }).innerText)).toBe('What should the release be called?\nOne word, please.');

    // Send with nothing written: the error is on the field, nothing is sent.
    await page.click(`${card(free.qid)} button[type="submit"]`);
    await waitForText(page, `${card(free.qid)} .field-error`, 'write an answer first');
    expect(await page.$eval(`#text-${free.qid}`, (el) => el.getAttribute('aria-invalid'))).toBe('true');
    expect((await bed.user.getQuestion(free.qid)).status).toBe('open');

    // Typing, then a new approval arrives and the list is read again: the text and the focus stay.
    await typeInto(page, `#text-${free.qid}`, 'Halcyon');
    const approval = await asks([{ tool: 'request_approval', args: { tool: 'Deploy', input: { to: 'prod' }, timeout_s: 7200 } }]);
    await page.waitForSelector(card(approval.qid));
    expect(await order()).toEqual([pick.qid, approval.qid, free.qid]);
    expect(await page.$eval(`#text-${free.qid}`, (el) => (el as unknown as { value: string }).value)).toBe('Halcyon');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe(`text-${free.qid}`);
    // When each expires, counting down, and what happens then.
    expect(await page.$eval(`${card(free.qid)} .q-expiry`, (el) => el.textContent)).toMatch(/^Expires in (59 min \d+ s|1 h 0 min) \(then it closes unanswered\)\.$/);
    expect(await page.$eval(`${card(approval.qid)} .q-expiry`, (el) => el.textContent)).toMatch(/^Expires in (1 h 59 min|2 h 0 min) \(then it is denied\)\.$/);
    expect(await page.$$(`${card(pick.qid)} .q-expiry`)).toHaveLength(0);
    await screenshot(page, 'inbox-questions');

    await page.click(`${card(pick.qid)} button[value="1"]`);
    await gone(page, pick.qid);
    await page.click(`${card(free.qid)} button[type="submit"]`);
    await gone(page, free.qid);
    await typeInto(page, `#note-${approval.qid}`, 'not on a Friday');
    await page.click(`${card(approval.qid)} button[value="deny"]`);
    await gone(page, approval.qid);

    expect(calls(await bed.waitEnded(pick.id))[0]!.data).toMatchObject({ status: 'answered', answer: { choice: 1, choice_text: 'us-east' }, answered_by: 'console' });
    expect(calls(await bed.waitEnded(free.id))[0]!.data).toMatchObject({ status: 'answered', answer: { text: 'Halcyon' }, answered_by: 'console' });
    expect(calls(await bed.waitEnded(approval.id))[0]!.data).toMatchObject({ decision: 'deny', message: 'not on a Friday', remember: false });
    await waitForText(page, '#inbox-recent', 'us-east');
    await waitForText(page, '#inbox-recent', 'Halcyon');
    expect(errors).toEqual([]);
  });

  it('answered elsewhere: the card goes live; a card being typed into says who answered; a late click gets the 409 and who', { timeout: 90_000 }, async () => {
    const { bed, page, errors, asks } = await start(kit());
    const idle = await asks([{ tool: 'ask_user', args: { question: 'Nobody is typing here?' } }]);
    const typed = await asks([{ tool: 'ask_user', args: { question: 'Someone is typing here?' } }]);
    await page.goto(`${bed.coordinator.url}/inbox`);
    await page.waitForSelector(card(typed.qid));

    await bed.user.answerQuestion(idle.qid, { text: 'from the terminal', answered_by: 'cli:ana@box' });
    await gone(page, idle.qid);
    await typeInto(page, `#text-${typed.qid}`, 'half an ans');
    await bed.user.answerQuestion(typed.qid, { text: 'faster', answered_by: 'telegram:bo' });
    await gone(page, typed.qid);
    await waitForText(page, '#flash', `${typed.qid} was answered (faster) by telegram:bo elsewhere.`);
    await waitForText(page, '#inbox-recent', 'by telegram:bo');

    // A page that is not following changes (its stream refused here) still has the card: its answer is refused (409) and says who.
    const late = await asks([{ tool: 'request_approval', args: { tool: 'Bash', input: { command: 'make release' } } }]);
    await page.setRequestInterception(true);
    page.on('request', (request) => void (request.url().endsWith('/v1/changes') ? request.abort() : request.continue()));
    await page.goto(`${bed.coordinator.url}/inbox`);
    await page.waitForSelector(card(late.qid));
    await bed.user.answerQuestion(late.qid, { decision: 'deny', answered_by: 'cli:ana@box' });
    await page.click(`${card(late.qid)} button[value="allow"]`);
    await gone(page, late.qid);
    await waitForText(page, '#flash', `Not sent: question ${late.qid} is already answered: by cli:ana@box at`);
    expect(calls(await bed.waitEnded(late.id))[0]!.data).toMatchObject({ decision: 'deny', answered_by: 'cli:ana@box' });
    // What the browser logged: the refused answer (409) and the refused stream, nothing else.
    expect(errors.filter((e) => !e.includes('status of 409 (Conflict)') && !e.includes('net::ERR_FAILED'))).toEqual([]);
    expect(errors.filter((e) => e.includes('status of 409'))).toHaveLength(1);
  });

  it('hostile question, details, options and tool call are shown as text; readable at phone width', { timeout: 90_000 }, async () => {
    const { bed, page, errors, dialogs, asks } = await start(kit());
    const hostile = '<img src=x onerror=alert(1)><script>alert(2)</script>';
    const gate = join(bed.dir, 'never');
    const question = await asks([
      { tool: 'ask_user', args: { question: `Pick ${hostile}`, details: `**bold** <b>tag</b> <iframe src="javascript:alert(3)"></iframe>`, options: [`<img src=y onerror=alert(4)>`, 'plain'] } },
    ]);
    const approval = await asks([
      { tool: 'request_approval', args: { tool: '<script>alert(5)</script>', input: { command: `</pre>${hostile}`, long: 'x'.repeat(400) }, reason: hostile } },
      { wait_file: gate },
    ]);
    await page.goto(`${bed.coordinator.url}/inbox`);
    await page.waitForSelector(card(approval.qid));
    expect(await page.$eval(`${card(question.qid)} .q-text`, (el) => el.textContent)).toBe(`Pick ${hostile}`);
    expect(await page.$eval(`${card(question.qid)} .q-options button`, (el) => el.textContent)).toBe('<img src=y onerror=alert(4)>');
    expect(await page.$eval(`${card(question.qid)} .q-details-text`, (el) => el.textContent)).toContain('<iframe src="javascript:alert(3)"></iframe>');
    expect(await page.$eval(`${card(approval.qid)} .q-tool`, (el) => el.textContent)).toBe('<script>alert(5)</script>');
    expect(await page.$eval(`${card(approval.qid)} pre.q-input`, (el) => el.textContent)).toContain(`"command": "</pre>${hostile}"`);
    expect(await page.$eval(`${card(approval.qid)} .q-details-text`, (el) => el.textContent?.trim())).toBe(hostile);
    // Nothing of it became an element.
    const made = () => page.evaluate(() => document.querySelectorAll('main img, main script, main iframe, main b').length);
    expect(await made()).toBe(0);

    // At phone width: no sideways scrolling, big buttons.
    await page.setViewport({ width: 390, height: 844 });
    await screenshot(page, 'inbox-phone');
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    const height = await page.$eval(`${card(approval.qid)} button[value="allow"]`, (el) => (el as unknown as { getBoundingClientRect(): { height: number } }).getBoundingClientRect().height);
    expect(height).toBeGreaterThanOrEqual(44);

    // Answer the hostile option: the answer, shown in "recently answered", is text too. The list is read
    // again after it; the approval's card, still open, stays the same element (nothing a person points at
    // is swapped under them).
    await page.evaluate((sel: string) => {
      const w = window as unknown as { kept: unknown; refreshes: number };
      w.kept = document.querySelector(sel);
      w.refreshes = 0;
      (document.querySelector('#inbox-open') as unknown as { addEventListener(t: string, f: () => void): void }).addEventListener('refreshed', () => (w.refreshes += 1));
    }, card(approval.qid));
    await page.click(`${card(question.qid)} button[value="0"]`);
    await gone(page, question.qid);
    await page.waitForFunction(() => (window as unknown as { refreshes: number }).refreshes > 0);
    expect(await page.evaluate((sel: string) => document.querySelector(sel) === (window as unknown as { kept: unknown }).kept, card(approval.qid))).toBe(true);
    await waitForText(page, '#inbox-recent .q-closed-answer', '→ <img src=y onerror=alert(4)>');
    expect(await made()).toBe(0);
    expect(calls(await bed.waitEnded(question.id))[0]!.data).toMatchObject({ answer: { choice: 0, choice_text: '<img src=y onerror=alert(4)>' } });
    await screenshot(page, 'inbox-phone-answered');

    await page.click(`${card(approval.qid)} button[value="deny"]`);
    await gone(page, approval.qid);
    writeFileSync(gate, '');
    await bed.waitEnded(approval.id);
    expect(await made()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
  });
});
