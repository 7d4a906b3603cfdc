import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { ROOT } from '../helpers/fixtures.js';
import { EXECUTOR, FAKE_CLAUDE, invocation, isolatedEnv, runExecutor, scratchDir, TEST_EXECUTOR_ENV } from './helpers/run-executor.js';

const HIDE_SDK = join(ROOT, 'test', 'fixtures', 'fake-claude', 'hide-agent-sdk.mjs');

describe('claude-code executor: the executor contract', () => {
  it('passes `agent-runner executor check claude-code` against the fake claude', async () => {
    const home = scratchDir();
    const env = isolatedEnv(home, { CLAUDE_CODE_EXECUTABLE: FAKE_CLAUDE, FAKE_CLAUDE_STATE_DIR: home, AGENT_RUNNER_EXECUTOR_ENV: TEST_EXECUTOR_ENV.join(',') }) as Record<string, string>;
    const { code, stdout } = await runCli(['executor', 'check', 'claude-code', '--json'], { env });
    const report = JSON.parse(stdout);
    expect(report.checks.filter((c: { status: string }) => c.status !== 'pass')).toEqual([]);
    expect(report).toMatchObject({ executor: 'claude-code', path: EXECUTOR, ok: true });
    expect(code).toBe(0);
  });
});

describe('claude-code executor without the Agent SDK (npm ci --omit=optional)', () => {
  const env = (home: string) => isolatedEnv(home, { CLAUDE_CODE_EXECUTABLE: FAKE_CLAUDE, NODE_OPTIONS: `--import=${HIDE_SDK}` });

  it('says so in one stderr line and exits 75', async () => {
    const { outcome, stderr, events } = await runExecutor(invocation({ project_dir: scratchDir() }), env(scratchDir()));
    expect(outcome.kind).toBe('infra_failed');
    expect(outcome.exit_code).toBe(75);
    expect(events.filter((e) => e.type !== 'log')).toEqual([]);
    expect(stderr).toEqual([
      'claude-code: the Claude Agent SDK (@anthropic-ai/claude-agent-sdk) is not installed, so Claude Code cannot run: ' +
        'reinstall agent-runner with its optional dependencies (`npm ci`, without --omit=optional)',
    ]);
  });

  it('still rejects a malformed invocation with exit 2', async () => {
    const { outcome } = await runExecutor({ ...invocation(), schema_version: '9.9' } as never, env(scratchDir()));
    expect(outcome.kind).toBe('rejected');
  });

  it('still lists claude-code in --executor-list', async () => {
    const { code, stdout } = await runCli(['--executor-list', '--json'], { env: env(scratchDir()) as Record<string, string> });
    expect(code).toBe(0);
    const listed = JSON.parse(stdout).find((e: { name: string }) => e.name === 'claude-code');
    expect(listed).toMatchObject({ usable: true, capabilities: { resume: true }, problems: [] });
  });
});
