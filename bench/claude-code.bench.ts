/**
 * Issue 6 figures: what the claude-code executor adds per run (Node start, SDK load, the SDK's control
 * protocol, event mapping), measured against the fake claude; and one run of the real bundled Claude
 * Code CLI against a fake Messages API on 127.0.0.1. Nothing leaves the machine.
 */
import { execa } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Invocation } from '../protocol/invocation.js';
import { packageRoot } from '../lib/package-root.js';
import { spawnExecutor } from '../lib/process/spawn-executor.js';
import { startFakeAnthropicApi } from '../test/claude-code/helpers/fake-anthropic-api.js';
import { mean, ms, percentile, report } from './lib/stats.js';

const ROOT = packageRoot();
const EXECUTOR = join(ROOT, 'executors', 'claude-code', 'ao-claude-code-exec');
const FAKE_CLAUDE = join(ROOT, 'test', 'fixtures', 'fake-claude', 'claude');
const RUNS = 40;
const REAL_RUNS = 5;

const home = mkdtempSync(join(tmpdir(), 'claude-code-bench-'));
const baseEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(ANTHROPIC_|CLAUDE_|AGENT_RUNNER_CLAUDE_)/.test(k)) env[k] = v;
  return { ...env, HOME: home, ANTHROPIC_BASE_URL: 'http://127.0.0.1:9', CLAUDE_CODE_MAX_RETRIES: '0', DISABLE_TELEMETRY: '1', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', DISABLE_AUTOUPDATER: '1' };
};
const invocation: Invocation = { schema_version: '2.0', mode: 'start', session_id: 'ses_bench', prompt: 'hello', project_dir: home };

interface Timing {
  bind: number;
  result: number;
  exit: number;
}

async function executorRun(env: NodeJS.ProcessEnv): Promise<Timing> {
  const start = performance.now();
  let bind = Number.NaN;
  let result = Number.NaN;
  const child = spawnExecutor({
    executable: EXECUTOR,
    invocation,
    env,
    onEvent: (event) => {
      if (event.type === 'bind') bind = performance.now() - start;
      if (event.type === 'result') result = performance.now() - start;
    },
  });
  const outcome = await child.outcome;
  if (outcome.kind !== 'succeeded') throw new Error(`run failed: ${outcome.message}`);
  return { bind, result, exit: performance.now() - start };
}

/** The fake claude alone, driven the way the SDK drives it: what the executor's figures are compared to. */
async function bareFakeRun(): Promise<number> {
  const start = performance.now();
  const input =
    `${JSON.stringify({ type: 'control_request', request_id: 'r1', request: { subtype: 'initialize' } })}\n` +
    `${JSON.stringify({ type: 'user', session_id: '', message: { role: 'user', content: [{ type: 'text', text: 'hello' }] }, parent_tool_use_id: null })}\n`;
  await execa(FAKE_CLAUDE, ['--output-format', 'stream-json', '--verbose', '--input-format', 'stream-json'], { input, env: baseEnv(), cwd: home });
  return performance.now() - start;
}

function line(name: string, values: number[]): void {
  report(name, `p50 ${ms(percentile(values, 50))}  p99 ${ms(percentile(values, 99))}  mean ${ms(mean(values))}`);
}

async function fakeClaudeOverhead(): Promise<void> {
  const env = { ...baseEnv(), CLAUDE_CODE_EXECUTABLE: FAKE_CLAUDE };
  for (let i = 0; i < 5; i++) await Promise.all([executorRun(env), bareFakeRun()]); // warm up
  const runs: Timing[] = [];
  const bare: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    runs.push(await executorRun(env));
    bare.push(await bareFakeRun());
  }
  line(`fake claude alone, start→exit (n=${RUNS})`, bare);
  line('executor + fake claude, start→bind', runs.map((r) => r.bind));
  line('executor + fake claude, start→result', runs.map((r) => r.result));
  line('executor + fake claude, start→exit', runs.map((r) => r.exit));
  report('executor overhead per run (p50 exit − bare)', ms(percentile(runs.map((r) => r.exit), 50) - percentile(bare, 50)));
}

async function realCliRun(): Promise<void> {
  const api = await startFakeAnthropicApi([], { kind: 'text', text: 'Hi from the fake API' });
  try {
    const env = { ...baseEnv(), ANTHROPIC_BASE_URL: api.url, ANTHROPIC_API_KEY: 'sk-ant-fake' };
    let runs: Timing[];
    try {
      await executorRun(env); // warm the page cache for the 380 MB binary
      runs = [];
      for (let i = 0; i < REAL_RUNS; i++) runs.push(await executorRun(env));
    } catch (error) {
      report('real Claude Code CLI vs fake API', `skipped: ${(error as Error).message.split('\n')[0]}`);
      return;
    }
    line(`real CLI + fake API, start→bind (n=${REAL_RUNS})`, runs.map((r) => r.bind));
    line('real CLI + fake API, start→result', runs.map((r) => r.result));
    line('real CLI + fake API, start→exit', runs.map((r) => r.exit));
  } finally {
    await api.close();
  }
}

try {
  await fakeClaudeOverhead();
  await realCliRun();
} finally {
  rmSync(home, { recursive: true, force: true });
}
