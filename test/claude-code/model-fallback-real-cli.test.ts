/**
 * `models: [a, b]` through the claude-code executor and the real Claude Code CLI: the executor passes a as
 * the model and b as Claude Code's fallbackModel; the fake Messages API answers 529 (overloaded) to every
 * request for a, and the answer comes from b. The fake records each request's model.
 * Claude Code's own retries wait out a backoff (about 3.5 s for three tries): the test's budget allows for it.
 */
import { afterEach, beforeEach, expect, it, describe } from 'vitest';
import type { ExecutorEvent } from '../../protocol/executor-event.js';
import { startFakeAnthropicApi, type FakeAnthropicApi, type FakeTurn } from './helpers/fake-anthropic-api.js';
import { findRealClaudeCli } from './helpers/real-claude-cli.js';
import { invocation, isolatedEnv, runExecutor, scratchDir } from './helpers/run-executor.js';

const cli = findRealClaudeCli();
const describeReal = 'skip' in cli ? describe.skip : describe;

const OVERLOADED: FakeTurn = { kind: 'status', status: 529, body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } };

let api: FakeAnthropicApi | undefined;
let home: string;
let project: string;

beforeEach(() => {
  home = scratchDir('claude-code-home-');
  project = scratchDir('claude-code-project-');
});
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const messages = (events: ExecutorEvent[]) => events.filter((e) => e.type === 'message').map((e) => (e as { text: string }).text);

describeReal('model fallback on 529 with the real Claude Code CLI', () => {
  it('models [a, b]: a answers 529 overloaded, the answer comes from b', { timeout: 120_000 }, async () => {
    api = await startFakeAnthropicApi([], (body: { model?: string }) => (body?.model === 'model-a' ? OVERLOADED : { kind: 'text', text: `answered by ${body?.model}` }));
    const { outcome, events, stderr } = await runExecutor(
      invocation({ prompt: 'say hi', project_dir: project, agent_blueprint: { name: 'w', model: 'model-a', models: ['model-a', 'model-b', 'model-c'] } }),
      isolatedEnv(home, { ANTHROPIC_BASE_URL: api.url, ANTHROPIC_API_KEY: 'sk-ant-fake', CLAUDE_CODE_MAX_RETRIES: '5' }),
    );
    const asked = api.turns().map((r) => r.body?.model as string);
    expect(stderr).toEqual([]);
    expect(outcome.kind).toBe('succeeded');
    expect(messages(events)).toEqual(['answered by model-b']);
    // Claude Code (2.1) asks a again after each 529 and switches after three in a row; the retries need
    // CLAUDE_CODE_MAX_RETRIES ≥ 3 (0 fails on the first 529 without falling back).
    expect(asked.at(-1)).toBe('model-b');
    expect(new Set(asked.slice(0, -1))).toEqual(new Set(['model-a']));
    // Claude Code takes one fallback: the third model is never asked.
    expect(asked).not.toContain('model-c');
  });
});
