// The session page says what a session runs with, in a real browser: its kind, its skills, the model its
// latest run was given and the fallbacks after it, and the runner's credential profile. Model names come
// from blueprints and routing files: markup in them is shown as text (no element, no dialog made from it).
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useRunnerKit, waitForSession } from '../runner/runner-kit.js';
import { HAVE_CHROMIUM, launchBrowser, openPage, screenshot, textOf, waitForText } from './console-kit.js';

const BUDGET_MS = 120_000;
// Model names may not hold spaces; markup needs none.
const HOSTILE_MODEL = '<img/src=x/onerror=alert(1)>';
const HOSTILE_FALLBACK = '<script>alert(2)</script>';

describe.skipIf(!HAVE_CHROMIUM)('the session page: kind, skills, model, credentials', () => {
  const kit = useRunnerKit();

  it('shows them as text; markup in a model name makes no element', { timeout: BUDGET_MS }, async () => {
    const dir = kit().tempDir();
    const skills = join(dir, 'skills');
    mkdirSync(join(skills, 'pdf-forms'), { recursive: true });
    writeFileSync(join(skills, 'pdf-forms', 'SKILL.md'), '---\nname: pdf-forms\ndescription: Fill PDF forms\n---\n');
    const { url, api } = await kit().coordinator({ args: ['--skills-dir', skills] });
    const credentials = join(dir, 'credentials.yaml');
    writeFileSync(credentials, 'profiles:\n  team-a:\n    env: { TEAM_KEY: not-a-real-secret }\n');
    chmodSync(credentials, 0o600);
    const state = join(dir, 'scripted-state');
    mkdirSync(state);
    await kit().daemon(['-c', url, '-x', 'scripted', '-n', '2', '-p', dir, '--credentials', credentials], { SCRIPTED_LOG: join(dir, 'scripted.log'), SCRIPTED_STATE_DIR: state });

    expect((await api('PUT', '/v1/agents/drafter', { executor: 'scripted', skills: ['pdf-forms'], models: [HOSTILE_MODEL, HOSTILE_FALLBACK, 'plain-model'] })).status).toBe(201);
    // Kinds and skill names cannot carry markup at all: the API refuses them.
    expect((await api('POST', '/v1/sessions', { agent: 'drafter', prompt: 'x', kind: '<b>x</b>' })).status).toBe(400);
    expect((await api('PUT', '/v1/agents/marked', { executor: 'scripted', skills: ['<b>x</b>'] })).status).toBe(400);

    const { session_id: id } = (await api('POST', '/v1/sessions', { agent: 'drafter', kind: 'review', prompt: JSON.stringify({ result_text: 'drafted' }), project_dir: dir })).body;
    await waitForSession(api, id, ['idle']);
    const run = (await api('GET', `/v1/sessions/${id}/runs`)).body.runs[0];
    expect(run).toMatchObject({ model: HOSTILE_MODEL, models: [HOSTILE_MODEL, HOSTILE_FALLBACK, 'plain-model'], credential_profile: 'team-a' });

    const browser = await launchBrowser(kit());
    const { page, errors } = await openPage(browser);
    let dialogs = 0;
    page.on('dialog', (d) => ((dialogs += 1), void d.dismiss()));
    await page.goto(`${url}/sessions/${id}`);
    await waitForText(page, '#result-text', 'drafted');
    expect(await textOf(page, '#session-kind')).toBe('review');
    expect(await textOf(page, '#session-skills')).toBe('pdf-forms');
    expect(await textOf(page, '#session-model')).toBe(HOSTILE_MODEL);
    expect(await textOf(page, '#session-fallbacks')).toBe(`${HOSTILE_FALLBACK}, plain-model`);
    expect(await textOf(page, '#session-profile')).toBe('team-a');
    await waitForText(page, '#runs .run-model', `${HOSTILE_MODEL} (team-a)`);
    expect(await page.$eval('#runs .run-model', (el) => (el as unknown as { title: string }).title)).toBe(`${HOSTILE_MODEL} → ${HOSTILE_FALLBACK} → plain-model`);
    // The facts as session.js reads them again (a fragment): the same, escaped.
    const fragment = await (await fetch(`${url}/sessions/${id}?fragment=facts`)).text();
    expect(fragment).toContain('&lt;img/src=x/onerror=alert(1)&gt;');
    expect(fragment).not.toContain(HOSTILE_MODEL);
    expect(fragment).toContain('team-a');
    expect(await page.$$eval('main img, main script', (list) => list.length)).toBe(0);
    await screenshot(page, 'session-model-skills');
    expect(dialogs).toBe(0);
    expect(errors).toEqual([]);
  });
});
