/**
 * The claude-code executor meets Claude's rate and usage limits: it reports `rate_limited` (with the reset
 * time when Claude Code gives one) and ends with exit 75 at once, never sitting in Claude Code's own retries.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { ExecutorEvent } from '../../protocol/executor-event.js';
import { startFakeAnthropicApi, type FakeAnthropicApi } from './helpers/fake-anthropic-api.js';
import { findRealClaudeCli } from './helpers/real-claude-cli.js';
import { FAKE_CLAUDE, invocation, isolatedEnv, runExecutor, scratchDir } from './helpers/run-executor.js';

let dir: string;
let project: string;
beforeEach(() => {
  dir = scratchDir();
  project = scratchDir('claude-code-project-');
});

const fakeEnv = (extra: Record<string, string>) =>
  isolatedEnv(dir, { CLAUDE_CODE_EXECUTABLE: FAKE_CLAUDE, FAKE_CLAUDE_STATE_DIR: dir, ANTHROPIC_API_KEY: 'sk-ant-profile-a', ...extra });
const limitOf = (events: ExecutorEvent[]) => events.filter((e) => e.type === 'rate_limited');

describe('claude-code executor: rate and usage limits (fake claude)', () => {
  it('a usage limit with a reset time: bind, rate_limited with retry_at, exit 75', async () => {
    const until = Date.now() + 3_600_000;
    const { outcome, events, stderr } = await runExecutor(invocation({ project_dir: project }), fakeEnv({ FAKE_CLAUDE_LIMITED_KEYS: 'sk-ant-profile-a', FAKE_CLAUDE_LIMIT_UNTIL: String(until) }));
    expect(outcome.exit_code).toBe(75);
    expect(outcome.kind).toBe('infra_failed');
    expect(outcome.executor_session_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(limitOf(events)).toEqual([{ type: 'rate_limited', scope: 'credential', message: 'Claude usage limit reached (five_hour)', retry_at: new Date(Math.ceil(until / 1000) * 1000).toISOString() }]);
    expect(stderr.join('\n')).toMatch(/rate limited/);
  });

  it('another key is not limited', async () => {
    const { outcome, events } = await runExecutor(invocation({ project_dir: project }), fakeEnv({ FAKE_CLAUDE_LIMITED_KEYS: 'sk-ant-profile-b' }));
    expect(outcome.kind).toBe('succeeded');
    expect(limitOf(events)).toEqual([]);
  });

  it("Claude Code's own retry on 429 is cut short: exit 75 at once with the retry time", async () => {
    const before = Date.now();
    const { outcome, events } = await runExecutor(invocation({ project_dir: project }), fakeEnv({ FAKE_CLAUDE_SCENARIO: 'rate_retry', FAKE_CLAUDE_RETRY_DELAY_MS: '600000' }));
    expect(outcome.exit_code).toBe(75);
    const [limit] = limitOf(events) as Array<{ retry_at: string }>;
    expect(Date.parse(limit!.retry_at)).toBeGreaterThanOrEqual(before + 600_000);
    expect(outcome.left_processes_behind).toBe(false);
  }, 30_000);
});

const cli = findRealClaudeCli();
const describeReal = 'skip' in cli ? describe.skip : describe;
let api: FakeAnthropicApi | undefined;

describeReal('claude-code executor: a 429 from the Messages API (real Claude Code CLI)', () => {
  // (A retry-after beyond the CLI's own cap (120 s was) makes it give up at once: the 429 result, no retry_at.)
  it('with its default retries, the CLI is stopped at its first retry: rate_limited with retry_at, exit 75', async () => {
    const body = { type: 'error', error: { type: 'rate_limit_error', message: "This request would exceed your account's rate limit." } };
    api = await startFakeAnthropicApi([], { kind: 'status', status: 429, body, headers: { 'retry-after': '5' } });
    try {
      const env = isolatedEnv(dir, { ANTHROPIC_BASE_URL: api.url, ANTHROPIC_API_KEY: 'sk-ant-profile-a' });
      delete env.CLAUDE_CODE_MAX_RETRIES;
      const before = Date.now();
      const { outcome, events } = await runExecutor(invocation({ project_dir: project }), env);
      expect(outcome.exit_code).toBe(75);
      const [limit] = limitOf(events) as Array<{ retry_at: string; scope: string }>;
      expect(limit).toMatchObject({ scope: 'credential', retry_at: expect.any(String) });
      expect(Date.parse(limit!.retry_at)).toBeGreaterThanOrEqual(before + 4_000);
      expect(api.turns().length).toBe(1);
      expect(api.turns()[0]!.headers['x-api-key']).toBe('sk-ant-profile-a');
    } finally {
      await api.close();
    }
  }, 60_000);
});
