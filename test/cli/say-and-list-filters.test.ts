// `agent-runner say` (the console's Chat from a terminal: POST /v1/mentions) and `sessions list --executor
// --search` (the sessions page's filters), as real processes against a coordinator on loopback.
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startTestCoordinator } from '../coordinator/helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe('say and sessions list filters', () => {
  it('starts sessions by @mention, refuses unknown names, and lists by executor and prompt text', { timeout: 60_000 }, async () => {
    const t = await startTestCoordinator('sqlite');
    cleanups.push(t.stop);
    for (const name of ['reviewer', 'tester']) expect((await t.api('PUT', `/v1/agents/${name}`, { executor: 'nobody' })).status).toBe(201);
    const c = ['-c', t.url];

    const said = await runCli(['say', '@reviewer @tester look at the LAST commit', ...c]);
    expect(said.code, said.stderr).toBe(0);
    const lines = said.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^ses_\S+ {2}@reviewer {2}queued$/);
    expect(lines[1]).toMatch(/^ses_\S+ {2}@tester {2}queued$/);

    const refused = await runCli(['say', '@revewer hi', ...c]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('no agent named "revewer" (did you mean "reviewer"?)');
    const none = await runCli(['say', 'hello', ...c]);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain('mention an agent (@name)');
    expect((await t.api('GET', '/v1/sessions')).body.sessions).toHaveLength(2);

    await t.api('POST', '/v1/sessions', { executor: 'other', prompt: 'something else' });
    const searched = await runCli(['sessions', 'list', '--search', 'last commit', '--json', ...c]);
    expect(searched.code, searched.stderr).toBe(0);
    expect(JSON.parse(searched.stdout).sessions.map((s: { agent: string }) => s.agent)).toEqual(['tester', 'reviewer']);
    const byExecutor = await runCli(['sessions', 'list', '--executor', 'other', ...c]);
    expect(byExecutor.stdout).toContain('something else');
    expect(byExecutor.stdout).not.toContain('LAST commit');
    const paged = await runCli(['sessions', 'list', '--executor', 'nobody', '--search', 'look', '--limit', '1', ...c]);
    expect(paged.stdout).toMatch(/more: agent-runner sessions list -c \S+ --executor nobody --search look --limit 1 --cursor \S+/);

    for (const [args, flag] of [[['--search', ' '], '--search: must not be empty'], [['--search', 'x'.repeat(201)], '--search: longer than 200 characters'], [['--executor', ''], '--executor: must not be empty']] as const) {
      const bad = await runCli(['sessions', 'list', ...args, ...c]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain(flag);
    }
  });
});
