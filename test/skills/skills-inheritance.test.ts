/**
 * Skills through a real coordinator (`--skills-dir`) and runner, with the real Claude Code CLI against a
 * fake Messages API: a skill listed in a blueprint reaches Claude, a child session (started over the API
 * with the parent) inherits it, and a child whose blueprint says `inherit_skills: false` does not get it.
 * Nothing is written into the project folder.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeAnthropicApi, type FakeAnthropicApi } from '../claude-code/helpers/fake-anthropic-api.js';
import { findRealClaudeCli } from '../claude-code/helpers/real-claude-cli.js';
import { isolatedEnv } from '../claude-code/helpers/run-executor.js';
import { WAIT_MS } from '../helpers/fixtures.js';
import { createSession, useRunnerKit, waitForSession } from '../runner/runner-kit.js';

const cli = findRealClaudeCli();
if ('skip' in cli) console.log(`skipping the real Claude Code CLI skills inheritance test: ${cli.skip}`);
const describeReal = 'skip' in cli ? describe.skip : describe;

let api: FakeAnthropicApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

describeReal('skills: a blueprint\'s skill reaches Claude and its child, not a child with inherit_skills: false', { timeout: 180_000 }, () => {
  const kit = useRunnerKit();

  it('parent, inheriting child, non-inheriting child', async () => {
    const skills = kit().tempDir();
    mkdirSync(join(skills, 'fruit-words'));
    writeFileSync(join(skills, 'fruit-words', 'SKILL.md'), '---\nname: fruit-words\ndescription: Use when asked for a fruit word.\n---\n\nSay PINEAPPLE.\n');
    const project = kit().tempDir();
    const home = kit().tempDir();
    api = await startFakeAnthropicApi([], { kind: 'text', text: 'done' });

    const { url, api: coordinator } = await kit().coordinator({ args: ['--skills-dir', skills] });
    await kit().daemon(['-c', url, '-x', 'claude-code'], isolatedEnv(home, { ANTHROPIC_BASE_URL: api.url, ANTHROPIC_API_KEY: 'sk-ant-fake' }));
    for (const agent of [
      { name: 'parent', executor: 'claude-code', skills: ['fruit-words'] },
      { name: 'child', executor: 'claude-code' },
      { name: 'loner', executor: 'claude-code', inherit_skills: false },
    ]) {
      const put = await coordinator('PUT', `/v1/agents/${agent.name}`, agent);
      expect(put.status, JSON.stringify(put.body)).toBe(201);
    }

    const run = async (agent: string, prompt: string, parent?: string) => {
      const { session_id } = await createSession(coordinator, { agent, project_dir: project, prompt, ...(parent === undefined ? {} : { parent_session_id: parent }) });
      const view = await waitForSession(coordinator, session_id, ['idle', 'failed'], WAIT_MS * 3);
      expect(view.status, JSON.stringify(view)).toBe('idle');
      // The model turns of this session: the ones whose messages carry its prompt.
      const sent = api!.turns().filter((t) => JSON.stringify(t.body.messages).includes(prompt));
      expect(sent.length).toBeGreaterThan(0);
      return { session_id, view: view as unknown as { skills?: string[] }, sent: JSON.stringify(sent.map((t) => t.body)) };
    };

    const parent = await run('parent', 'parent prompt one');
    expect(parent.view.skills).toEqual(['fruit-words']);
    expect(parent.sent).toContain('fruit-words');
    expect(parent.sent).toContain('Use when asked for a fruit word.');

    const child = await run('child', 'child prompt two', parent.session_id);
    expect(child.view.skills).toEqual(['fruit-words']);
    expect(child.sent).toContain('Use when asked for a fruit word.');

    const loner = await run('loner', 'loner prompt three', parent.session_id);
    expect(loner.view.skills).toEqual([]);
    expect(loner.sent).not.toContain('fruit-words');

    expect(readdirSync(project)).toEqual([]);
  });
});
