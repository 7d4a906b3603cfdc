import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSession, freePort, useRunnerKit, waitForSession } from '../runner/runner-kit.js';

/** Any C0 control but newline and tab, DEL or C1 control: what a terminal would act on. */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;
const TITLE = '\x1b]0;pwned\x07';

/**
 * Human output must hold no control character, and no line of the executor's may start like our own
 * closing "✔ succeeded" (`closing`: whether the command prints that line itself, as its last).
 */
function expectPlainText(stdout: string, closing = false): void {
  expect(stdout).not.toMatch(CONTROL);
  expect(stdout).not.toContain('pwned\x07');
  const lines = stdout.trimEnd().split('\n');
  expect(lines.filter((line) => /^\s*✔ succeeded/.test(line))).toHaveLength(closing ? 1 : 0);
  if (closing) expect(lines.at(-1)).toMatch(/^✔ succeeded/);
}

describe('what reaches a terminal is text (issue 11, item 17)', () => {
  const kit = useRunnerKit();

  it('run, sessions events and sessions show print executor text without its escape sequences; --json keeps them exact', async () => {
    const cwd = kit().tempDir();
    const env = { AGENT_RUNNER_LOCAL_PORT: String(await freePort()) };
    const run = await kit().cli(['run', '-x', 'escapes', 'x'], { cwd, env });
    expect(run.code, run.stderr).toBe(0);
    expectPlainText(run.stdout, true);
    expect(run.stdout).toContain('working');
    expect(run.stdout).toContain('second line\tok');
    expect(run.stdout).toContain('\\x0d'); // the carriage return is shown, not obeyed
    const sessionId = /session (ses_\w+)/.exec(run.stdout)![1]!;

    const events = await kit().cli(['sessions', 'events', sessionId], { cwd, env });
    expect(events.code).toBe(0);
    expectPlainText(events.stdout);
    expect(events.stdout).toContain('plain');

    const show = await kit().cli(['sessions', 'show', sessionId], { cwd, env });
    expectPlainText(show.stdout);
    expect(show.stdout).toMatch(/^result {6}done\\x0d✔ succeeded\n {12}line two$/m);

    // Machine output keeps the data exact.
    const json = await kit().cli(['sessions', 'events', sessionId, '--json'], { cwd, env });
    const message = json.stdout.trimEnd().split('\n').map((l) => JSON.parse(l)).find((e) => e.type === 'message');
    expect(message.event.text).toBe(`working\x1b[2J\x1b[H${TITLE}\r\x1b[2K\x1b[32m✔ succeeded\x1b[0m\nsecond line\tok`);
    const shown = JSON.parse((await kit().cli(['sessions', 'show', sessionId, '--json'], { cwd, env })).stdout);
    expect(shown.result.result_text).toBe(`done${TITLE}\r\x1b[2K\x1b[32m✔ succeeded\x1b[0m\nline two`);
  });

  it('a daemon-run session, followed with sessions events, is text too', async () => {
    const { api, url } = await kit().coordinator();
    await kit().daemon(['-c', url, '-x', 'escapes']);
    const { session_id } = await createSession(api, { executor: 'escapes', prompt: 'x' });
    await waitForSession(api, session_id, ['idle', 'failed']);
    const events = await kit().cli(['sessions', 'events', session_id, '-c', url]);
    expectPlainText(events.stdout);
    expect(events.stdout).toContain('result');
  });

  it('invoke, executor check and --executor-list show executor text without escape sequences', async () => {
    const dir = kit().tempDir();
    const invoke = await kit().cli(['invoke', '-x', 'escapes', '--prompt', 'x'], { cwd: dir });
    expect(invoke.code).toBe(0);
    expectPlainText(invoke.stdout, true);

    const check = await kit().cli(['executor', 'check', 'escapes'], { cwd: dir });
    expectPlainText(check.stdout);

    mkdirSync(join(dir, 'executors', 'shady'), { recursive: true });
    writeFileSync(join(dir, 'executors', 'shady', 'ao-shady-exec'), '#!/bin/sh\n', { mode: 0o755 });
    writeFileSync(join(dir, 'executors', 'shady', 'executor.json'), JSON.stringify({ description: `shady${TITLE}\x1b[2J`, version: 7 }));
    const list = await kit().cli(['--executor-list'], { cwd: dir });
    expectPlainText(list.stdout);
    expect(list.stdout).toMatch(/^shady\s+shady\s/m);
    const listJson = JSON.parse((await kit().cli(['--executor-list', '--json'], { cwd: dir })).stdout);
    expect(listJson.find((e: { name: string }) => e.name === 'shady').description).toBe(`shady${TITLE}\x1b[2J`);
  });
});
