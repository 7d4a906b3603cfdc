/**
 * The claude-code executor gives the run's skills (`agent_blueprint.skills`) to the real Claude Code CLI as
 * a plugin made for the run: the skill reaches Claude (its name and description in the request the fake
 * Messages API receives), nothing is written into the project folder, and the plugin folder is gone after.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeAnthropicApi, type FakeAnthropicApi } from '../claude-code/helpers/fake-anthropic-api.js';
import { findRealClaudeCli } from '../claude-code/helpers/real-claude-cli.js';
import { invocation, isolatedEnv, runExecutor, scratchDir } from '../claude-code/helpers/run-executor.js';

const cli = findRealClaudeCli();
if ('skip' in cli) console.log(`skipping the real Claude Code CLI skills tests: ${cli.skip}`);
const describeReal = 'skip' in cli ? describe.skip : describe;

let api: FakeAnthropicApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

let home: string;
let project: string;
let skills: string;
beforeEach(() => {
  home = scratchDir('skills-home-');
  project = scratchDir('skills-project-');
  skills = scratchDir('skills-cache-');
});

/** A skill folder as the runner materializes it. */
function writeSkill(name: string, description: string): { name: string; description: string; path: string } {
  const path = join(skills, name);
  mkdirSync(path);
  writeFileSync(join(path, 'SKILL.md'), `---\nname: ${name}\ndescription: ${description}\n---\n\nSay the word PINEAPPLE.\n`);
  return { name, description, path };
}

/** The plugin folders in `parent` (the executor's temp folder). */
const pluginFolders = (parent: string) => readdirSync(parent).filter((n) => n.startsWith('agent-runner-skills-'));

describeReal('skills with the real Claude Code CLI', () => {
  it('reach Claude as a plugin made for the run, outside the project folder, removed after', { timeout: 60_000 }, async () => {
    api = await startFakeAnthropicApi([], { kind: 'text', text: 'done' });
    // A temp folder of the executor's own (TMPDIR): other test files running beside this one make plugin folders in the system's.
    const temp = scratchDir('skills-tmp-');
    const skill = writeSkill('fruit-words', 'Use when the user asks for a fruit word.');
    const { outcome, stderr } = await runExecutor(
      invocation({ prompt: 'give me a fruit word', project_dir: project, agent_blueprint: { name: 'w', skills: [skill] } }),
      isolatedEnv(home, { ANTHROPIC_BASE_URL: api.url, ANTHROPIC_API_KEY: 'sk-ant-fake', TMPDIR: temp }),
    );
    expect(stderr).toEqual([]);
    expect(outcome.kind).toBe('succeeded');
    const sent = JSON.stringify(api.turns().map((t) => t.body));
    expect(sent).toContain('fruit-words');
    expect(sent).toContain('Use when the user asks for a fruit word.');
    expect(readdirSync(project)).toEqual([]);
    expect(pluginFolders(temp)).toEqual([]);
  });

  it('a run without skills sends none', { timeout: 60_000 }, async () => {
    api = await startFakeAnthropicApi([], { kind: 'text', text: 'done' });
    const { outcome } = await runExecutor(
      invocation({ prompt: 'give me a fruit word', project_dir: project, agent_blueprint: { name: 'w' } }),
      isolatedEnv(home, { ANTHROPIC_BASE_URL: api.url, ANTHROPIC_API_KEY: 'sk-ant-fake' }),
    );
    expect(outcome.kind).toBe('succeeded');
    expect(JSON.stringify(api.turns().map((t) => t.body))).not.toContain('fruit-words');
  });
});
