// Chat by @mention in a real browser: a message starts a session of the agent mentioned and its events
// arrive live (hostile text shown as text); two mentions start two; an unknown name is refused with a
// suggestion on the field and nothing starts; Enter sends, Shift+Enter is a new line; the tab's
// conversation survives a reload.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useRunnerKit } from '../runner/runner-kit.js';
import { startWorkflowStack } from '../workflows/workflow-kit.js';
import { HAVE_CHROMIUM, launchBrowser, openPage, screenshot, waitForText } from './console-kit.js';

// In functions that run in the page (this program has no DOM types).
declare const document: { documentElement: { scrollWidth: number }; querySelectorAll(s: string): ArrayLike<unknown>; activeElement: { id: string } | null };
declare const window: { innerWidth: number };

const HOSTILE = '<img src=x onerror=alert(1)><script>alert(2)</script>';

describe.skipIf(!HAVE_CHROMIUM)('the chat page', () => {
  const kit = useRunnerKit();

  it('starts sessions by @mention and shows their events live; refuses unknown names', { timeout: 120_000 }, async () => {
    const stack = await startWorkflowStack(kit(), 'sqlite', { concurrency: 4 });
    await stack.addAgent('reviewer', { executor: 'scripted' });
    await stack.addAgent('tester', { executor: 'scripted' });
    const browser = await launchBrowser(kit());
    const { page, errors } = await openPage(browser);
    const dialogs: string[] = [];
    page.on('dialog', (d) => (dialogs.push(d.message()), void d.dismiss()));
    await page.goto(`${stack.url}/chat`);
    await page.waitForSelector('#chat-message');

    // One mention; the prompt after it scripts the session: a message now, another once the marker exists.
    const marker = join(stack.dir, 'chat-go');
    const script = {
      events: [{ type: 'message', role: 'assistant', text: 'first **bold** reply' }],
      wait_for: marker,
      events_after: [{ type: 'message', role: 'assistant', text: `second ${HOSTILE}` }],
      result_text: 'all done',
    };
    await page.type('#chat-message', `@reviewer ${JSON.stringify(script)}`);
    await page.keyboard.press('Enter');
    await waitForText(page, '.chat-session .feed', 'first bold reply');
    const [first] = (await stack.api.listSessions({})).sessions;
    expect(first).toMatchObject({ agent: 'reviewer', prompt: JSON.stringify(script) });
    expect(await page.$eval('.turn .said', (el) => el.textContent)).toBe(`@reviewer ${JSON.stringify(script)}`);
    expect(await page.$eval('#chat-message', (el) => (el as unknown as { value: string }).value)).toBe('');
    await page.waitForSelector(`section.chat-session[data-session="${first!.session_id}"] .status-running`);
    await screenshot(page, 'chat-running');
    writeFileSync(marker, '');
    await waitForText(page, '.chat-session .feed', `second ${HOSTILE}`);
    await waitForText(page, '.chat-session .feed', 'all done');
    await page.waitForSelector(`section.chat-session[data-session="${first!.session_id}"] .status-idle`);
    expect(await page.evaluate(() => document.querySelectorAll('.feed img, .feed script').length)).toBe(0);
    expect(await page.$eval('.feed strong', (el) => el.textContent)).toBe('bold');

    // Two mentions, Shift+Enter for a new line: two sessions, one prompt.
    await page.type('#chat-message', '@reviewer @tester');
    await page.keyboard.down('Shift');
    await page.keyboard.press('Enter');
    await page.keyboard.up('Shift');
    await page.type('#chat-message', 'say hi');
    expect(await page.$eval('#chat-message', (el) => (el as unknown as { value: string }).value)).toBe('@reviewer @tester\nsay hi');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('.turn').length === 2);
    await page.waitForFunction(() => Array.from(document.querySelectorAll('.turn:first-child .chat-session .feed') as ArrayLike<{ textContent: string | null }>).filter((f) => (f.textContent ?? '').includes('ok: say hi')).length === 2);
    const agents = await page.$$eval('.turn:first-child .chat-head .agent', (els) => els.map((e) => e.textContent));
    expect(agents).toEqual(['@reviewer', '@tester']);
    const all = (await stack.api.listSessions({})).sessions;
    expect(all).toHaveLength(3);
    expect(all.slice(0, 2).map((s) => [s.agent, s.prompt]).sort()).toEqual([['reviewer', 'say hi'], ['tester', 'say hi']]);
    await screenshot(page, 'chat');

    // An unknown name: refused on the field with a suggestion; nothing starts; the message stays.
    await page.type('#chat-message', '@revewer @tester check it');
    await page.keyboard.press('Enter');
    await waitForText(page, '.field-error', 'no agent named "revewer" (did you mean "reviewer"?)');
    expect(await page.$eval('#chat-message', (el) => el.getAttribute('aria-invalid'))).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('chat-message');
    expect((await stack.api.listSessions({})).sessions).toHaveLength(3);
    expect(await page.$eval('#chat-message', (el) => (el as unknown as { value: string }).value)).toBe('@revewer @tester check it');
    await screenshot(page, 'chat-unknown-agent');
    // No mention at all.
    await page.$eval('#chat-message', (el) => ((el as unknown as { value: string }).value = 'hello there'));
    await page.click('#chat-send');
    await waitForText(page, '.field-error', 'mention an agent (@name)');
    expect((await stack.api.listSessions({})).sessions).toHaveLength(3);
    // (the browser logs the two refusals, 422s; nothing else went wrong)
    expect(errors).toEqual(Array(2).fill('console: Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)'));
    errors.length = 0;

    // The tab's conversation comes back after a reload.
    await page.reload();
    await page.waitForFunction(() => document.querySelectorAll('.turn .chat-session').length === 3);
    await waitForText(page, '.turn:last-child .feed', `second ${HOSTILE}`);

    await page.setViewport({ width: 390, height: 844 });
    await screenshot(page, 'chat-phone');
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
  });
});
