import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach } from 'vitest';
import { readExecutorManifest } from '../../../lib/discovery/executor-manifest.js';
import type { ExecutorEvent } from '../../../protocol/executor-event.js';
import type { Invocation } from '../../../protocol/invocation.js';
import type { RunOutcome } from '../../../lib/process/run-outcome.js';
import { spawnExecutor, type ExecutorProcess } from '../../../lib/process/spawn-executor.js';
import { isRunning, ROOT, tempDir } from '../../helpers/fixtures.js';

export const EXECUTOR = join(ROOT, 'executors', 'claude-code', 'ao-claude-code-exec');
export const FAKE_CLAUDE = join(ROOT, 'test', 'fixtures', 'fake-claude', 'claude');

/** What a fake claude process wrote to FAKE_CLAUDE_RECORD. */
export interface FakeClaudeRecord {
  pid: number;
  argv: string[];
  cwd: string;
  initialize: Record<string, any> | null;
  prompts: string[];
}

const groups = new Set<number>();
const fakePids = new Set<number>();
const cleanups: Array<() => void> = [];

// Whatever a test started goes, even when it failed half-way: executor groups, fake claudes, temp dirs.
afterEach(() => {
  for (const pid of [...groups, ...fakePids]) {
    try {
      process.kill(groups.has(pid) ? -pid : pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  groups.clear();
  fakePids.clear();
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A temp dir removed after the test. */
export function scratchDir(prefix = 'claude-code-test-'): string {
  const { dir, cleanup } = tempDir(prefix);
  cleanups.push(cleanup);
  return dir;
}

/**
 * The environment for an executor run: this process's, minus anything that could reach a real model
 * (API keys, a real base URL), with a temp HOME so no user configuration or login is seen.
 */
export function isolatedEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(ANTHROPIC_|CLAUDE_|AGENT_RUNNER_CLAUDE_|FAKE_CLAUDE_)/.test(name)) continue;
    env[name] = value;
  }
  return {
    ...env,
    HOME: home,
    ANTHROPIC_BASE_URL: 'http://127.0.0.1:9', // discard port: nothing answers, nothing leaves the machine
    CLAUDE_CODE_MAX_RETRIES: '0',
    DISABLE_TELEMETRY: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    ...extra,
  };
}

export interface ExecutorRun {
  child: ExecutorProcess;
  events: ExecutorEvent[];
  stderr: string[];
  done: Promise<{ outcome: RunOutcome; events: ExecutorEvent[]; stderr: string[] }>;
  /** Resolves when an event of this type has been reported. */
  waitFor(type: ExecutorEvent['type']): Promise<ExecutorEvent>;
}

/** What the tests add as an operator would with --executor-env: the fake claude's knobs, and NODE_OPTIONS to hide the SDK. */
export const TEST_EXECUTOR_ENV = ['FAKE_CLAUDE_*', 'NODE_OPTIONS'];

/** Start the claude-code executor exactly as the runner does (spawnExecutor), tracked for cleanup. */
export function startExecutor(invocation: Invocation, env: NodeJS.ProcessEnv, options: { signal?: AbortSignal; graceMs?: number } = {}): ExecutorRun {
  const events: ExecutorEvent[] = [];
  const stderr: string[] = [];
  const waiters: Array<{ type: string; resolve: (e: ExecutorEvent) => void }> = [];
  const child = spawnExecutor({
    executable: EXECUTOR,
    invocation,
    env,
    envAllow: [...readExecutorManifest(join(dirname(EXECUTOR), 'executor.json')).manifest.env, ...TEST_EXECUTOR_ENV],
    timeoutMs: 60_000,
    ...(options.graceMs === undefined ? {} : { graceMs: options.graceMs }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    onEvent: (event, stream) => {
      if (stream === 'stderr') {
        stderr.push(event.type === 'log' ? event.message : JSON.stringify(event));
        return;
      }
      events.push(event);
      for (const w of waiters.filter((w) => w.type === event.type)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(event);
      }
    },
  });
  if (child.pid !== undefined) groups.add(child.pid);
  const done = child.outcome.then((outcome) => ({ outcome, events, stderr }));
  return {
    child,
    events,
    stderr,
    done,
    waitFor: (type) => {
      const seen = events.find((e) => e.type === type);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ type, resolve });
        void done.then(() => reject(new Error(`the executor ended without a ${type} event`)));
      });
    },
  };
}

/** Run the executor to its end. */
export async function runExecutor(invocation: Invocation, env: NodeJS.ProcessEnv) {
  return startExecutor(invocation, env).done;
}

/** The fake claude processes a run started, from its record file (tracked for cleanup). */
export function readRecords(file: string): FakeClaudeRecord[] {
  if (!existsSync(file)) return [];
  const byPid = new Map<number, FakeClaudeRecord>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const record = JSON.parse(line) as FakeClaudeRecord;
    byPid.set(record.pid, record); // the last record of a process is its fullest
    fakePids.add(record.pid);
  }
  return [...byPid.values()];
}

export function invocation(overrides: Partial<Invocation> = {}): Invocation {
  return { schema_version: '2.0', mode: 'start', session_id: 'ses_claude01', prompt: 'hello claude', ...overrides };
}

export { isRunning };
