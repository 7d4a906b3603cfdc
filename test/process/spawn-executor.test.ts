import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readExecutorManifest } from '../../lib/discovery/executor-manifest.js';
import type { ExecutorEvent } from '../../protocol/executor-event.js';
import { MAX_LINE_BYTES } from '../../lib/process/line-splitter.js';
import { spawnExecutor, type SpawnExecutorOptions } from '../../lib/process/spawn-executor.js';
import { fixture, invocation, isRunning, shipped, tempDir, waitUntil } from '../helpers/fixtures.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});

function killLater(pid: number | undefined) {
  cleanups.push(() => {
    if (pid === undefined) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {}
  });
}

/** Spawn as the runner would: the executor's declared `env` (its executor.json) passes on top of the base set. */
async function run(options: Partial<SpawnExecutorOptions> & { executable: string }) {
  const events: ExecutorEvent[] = [];
  const declared = readExecutorManifest(join(dirname(options.executable), 'executor.json')).manifest.env;
  const child = spawnExecutor({ invocation: invocation(), onEvent: (e) => events.push(e), envAllow: declared, ...options });
  killLater(child.pid);
  return { child, events, outcome: await child.outcome };
}

describe('spawnExecutor', () => {
  it('runs the test executor: events in order, outcome succeeded with result and bound session', async () => {
    const { events, outcome } = await run({ executable: shipped('test-executor', 'ao-test-exec') });
    expect(events.map((e) => e.type)).toEqual(['bind', 'message', 'usage', 'result']);
    expect(outcome).toMatchObject({
      kind: 'succeeded',
      exit_code: 0,
      signal: null,
      result: { type: 'result', result_text: 'Echo: hello' },
      executor_session_id: 'test-ses_test01',
      forcefully_killed: false,
      left_processes_behind: false,
      message: 'succeeded',
    });
    expect(outcome.duration_ms).toBeGreaterThan(0);
  });

  it('gives cwd = project_dir, the agent-runner env without secrets, its own process group, and the invocation on stdin', async () => {
    // KEEP_ME passes because it is allowed (as an executor's declared env or the operator's --executor-env would).
    const project = tempDir();
    cleanups.push(project.cleanup);
    const inv = invocation({ project_dir: project.dir, metadata: { run_id: 'run_42' } });
    const { outcome, child } = await run({
      executable: fixture('report-env'),
      invocation: inv,
      mcpUrl: 'http://127.0.0.1:9/mcp',
      env: { ...process.env, AGENT_COORDINATOR_TOKEN: 'secret', KEEP_ME: 'kept' },
      envAllow: ['KEEP_ME', 'AGENT_*'],
    });
    const data = outcome.result?.result_data as Record<string, any>;
    expect(data.cwd).toBe(project.dir);
    expect(data.env).toEqual({
      AGENT_SESSION_ID: 'ses_test01',
      AGENT_RUN_ID: 'run_42',
      AGENT_RUNNER_MCP_URL: 'http://127.0.0.1:9/mcp',
      AGENT_COORDINATOR_TOKEN: null,
      KEEP_ME: 'kept',
    });
    expect(JSON.parse(data.stdin)).toEqual(inv);
    expect(data.pgid).toBe(child.pid);
    expect(data.pgid).not.toBe(process.pid);
  });

  it.each([
    [{ EXIT_CODE: '0' }, 'succeeded', 0, 'succeeded'],
    [{ EXIT_CODE: '2' }, 'rejected', 2, 'rejected the invocation (exit 2): failing on purpose with 2'],
    [{ EXIT_CODE: '75' }, 'infra_failed', 75, 'infrastructure failure (exit 75): failing on purpose with 75'],
    [{ EXIT_CODE: '1' }, 'failed', 1, 'exited with code 1: failing on purpose with 1'],
    [{ EXIT_CODE: '3' }, 'failed', 3, 'exited with code 3: failing on purpose with 3'],
  ])('classifies %j as %s', async (env, kind, exitCode, message) => {
    const { outcome } = await run({ executable: fixture('exit-with'), env: { ...process.env, ...env } });
    expect(outcome).toMatchObject({ kind, exit_code: exitCode, signal: null, message });
    expect(outcome.stderr_tail).toBe(`failing on purpose with ${exitCode}`);
  });

  it('classifies a signal it did not receive from us as failed, naming the signal', async () => {
    const { outcome } = await run({ executable: fixture('exit-with'), env: { ...process.env, KILL_SIGNAL: 'KILL' } });
    expect(outcome).toMatchObject({ kind: 'failed', exit_code: null, signal: 'SIGKILL' });
    expect(outcome.message).toBe('killed by SIGKILL: failing on purpose with 1');
  });

  it('reports a file that cannot be started as infra_failed with the reason', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const { outcome } = await run({ executable: join(dir, 'missing-exec') });
    expect(outcome.kind).toBe('infra_failed');
    expect(outcome.message).toMatch(/^could not start the executor: .*missing-exec .*\(ENOENT\)$/);
  });

  it('reports a file without execute permission as infra_failed with the reason, with no process to supervise', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const executable = join(dir, 'not-executable-exec');
    writeFileSync(executable, '#!/bin/sh\nexit 0\n', { mode: 0o644 });
    const child = spawnExecutor({ executable, invocation: invocation() });
    expect(child.pid).toBeUndefined();
    const outcome = await child.outcome;
    expect(outcome).toMatchObject({ kind: 'infra_failed', exit_code: null, signal: null, left_processes_behind: false });
    expect(outcome.message).toMatch(/^could not start the executor: .*not-executable-exec is not executable \(EACCES\)$/);
  });

  it('times out: SIGTERM to the group, outcome timed_out', async () => {
    // Long enough for the shell to set its SIGTERM trap on a busy machine: it must answer, not just die.
    const { outcome, events } = await run({ executable: fixture('slow-echo'), timeoutMs: 1_000, graceMs: 5_000 });
    expect(outcome).toMatchObject({ kind: 'timed_out', forcefully_killed: false, message: 'timed out after 1000 ms' });
    expect(events.map((e) => (e.type === 'log' ? e.message : e.type))).toContain('got SIGTERM');
  });

  it('cancels through an AbortSignal', async () => {
    const controller = new AbortController();
    const { outcome } = await run({
      executable: fixture('slow-echo'),
      signal: controller.signal,
      onEvent: (e) => e.type === 'progress' && controller.abort(),
    });
    expect(outcome).toMatchObject({ kind: 'cancelled', message: 'cancelled' });
  });

  it('does not start at all when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const { outcome, child } = await run({ executable: fixture('slow-echo'), signal: controller.signal });
    expect(child.pid).toBeUndefined();
    expect(outcome.kind).toBe('cancelled');
  });

  it('SIGKILLs an executor that ignores SIGTERM once the grace period is over', async () => {
    const controller = new AbortController();
    const { outcome } = await run({
      executable: fixture('ignores-sigterm'),
      signal: controller.signal,
      graceMs: 300,
      onEvent: (e) => e.type === 'progress' && controller.abort(),
    });
    expect(outcome).toMatchObject({ kind: 'cancelled', forcefully_killed: true, signal: 'SIGKILL' });
  });

  it('leaves no grandchild alive after a cancel, even one that ignores SIGTERM', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const pidFile = join(dir, 'grandchild.pid');
    const controller = new AbortController();
    const { outcome } = await run({
      executable: fixture('grandchild'),
      env: { ...process.env, PID_FILE: pidFile },
      signal: controller.signal,
      graceMs: 300,
      onEvent: (e) => e.type === 'progress' && controller.abort(),
    });
    expect(outcome.kind).toBe('cancelled');
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    await waitUntil(() => !isRunning(grandchild), `grandchild ${grandchild} is gone`);
  });

  it('terminates what an executor left running after a normal exit, and says so', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const pidFile = join(dir, 'child.pid');
    const { outcome } = await run({ executable: fixture('leaves-child'), env: { ...process.env, PID_FILE: pidFile } });
    expect(outcome).toMatchObject({ kind: 'succeeded', left_processes_behind: true });
    const orphan = Number(readFileSync(pidFile, 'utf8'));
    await waitUntil(() => !isRunning(orphan), `orphan ${orphan} is gone`);
  });

  it('reads 50 MB of stdout and 5 MB of stderr without blocking, every event delivered', async () => {
    let messages = 0;
    let stderrLines = 0;
    const { outcome } = await run({
      executable: fixture('flood'),
      env: { ...process.env, FLOOD_MB: '50' },
      onEvent: (e) => {
        if (e.type === 'message') messages += 1;
        else if (e.type === 'log' && e.stream === 'stderr') stderrLines += 1;
      },
    });
    expect(outcome.kind).toBe('succeeded');
    expect(messages).toBe(Number(outcome.result?.result_text));
    expect(messages).toBeGreaterThan(200_000);
    expect(stderrLines).toBeGreaterThan(20_000);
  }, 180_000); // big work: 55 MB through the parser, seconds on a quiet machine, far more on a busy one

  it('keeps invalid UTF-8 as replacement characters, truncates and marks a 2 MiB line, reads CRLF and a last line without newline', async () => {
    const { events, outcome } = await run({ executable: fixture('raw-bytes') });
    expect(events[0]).toEqual({ type: 'log', message: 'bad \ufffd\ufffd \ufffd(', stream: 'stdout' });
    const long = events[1];
    expect(long).toMatchObject({ type: 'log', stream: 'stdout', truncated: true });
    expect(long?.type === 'log' && long.message.length).toBe(MAX_LINE_BYTES);
    expect(long?.type === 'log' && long.reason).toBe(`line of ${2 * 1024 * 1024} bytes truncated to its first ${MAX_LINE_BYTES} bytes`);
    expect(events[2]).toEqual({ type: 'progress', message: 'after the long line' });
    expect(events[3]).toEqual({ type: 'result', result_text: 'café' });
    expect(outcome.kind).toBe('succeeded');
  });
});
