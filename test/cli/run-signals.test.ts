import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually } from '../coordinator/helpers.js';
import { isRunning } from '../helpers/fixtures.js';
import { freePort, processesInGroup, processGroupOf, type Proc, type RunnerKit, useRunnerKit, waitForSession } from '../runner/runner-kit.js';

const BUDGET_MS = 60_000;

/** The session id and the grandchild's pid once `run --json` streams the grandchild executor's progress. */
async function startedGrandchild(run: Proc, pidFile: string): Promise<{ sessionId: string; grandchild: number; group: number }> {
  const progress = await eventually(async () => run.stdout().split('\n').find((line) => line.includes('started grandchild')), BUDGET_MS);
  const sessionId = (JSON.parse(progress) as { session_id: string }).session_id;
  await eventually(async () => existsSync(pidFile), BUDGET_MS);
  const grandchild = Number(readFileSync(pidFile, 'utf8').trim());
  return { sessionId, grandchild, group: processGroupOf(grandchild) };
}

/** `run` of the grandchild executor (SIGTERM-ignoring grandchild, short grace) in its own folder and port. */
async function runGrandchild(kit: RunnerKit, extraArgs: string[] = []) {
  const cwd = kit.tempDir();
  const pidFile = join(kit.pidDir, `grandchild-${Math.random().toString(36).slice(2)}`);
  const env = { AGENT_RUNNER_LOCAL_PORT: String(await freePort()), PID_FILE: pidFile };
  const run = kit.spawnCli(['run', '-x', 'grandchild', '--grace', '300ms', '--json', ...extraArgs, 'x'], { cwd, env });
  return { cwd, env, run, ...(await startedGrandchild(run, pidFile)) };
}

describe('`agent-runner run` leaves no agent behind, however it ends (issue 11, item 5)', () => {
  const kit = useRunnerKit();

  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)(
    'embedded: %s cancels the executor group (grandchild included) and records the session cancelled',
    async (signal) => {
      const { cwd, env, run, sessionId, grandchild, group } = await runGrandchild(kit());
      run.child.kill(signal);
      const { code } = await run.exited;
      expect(code, run.stderr()).toBe(130);
      expect(run.stderr()).toContain('stopping the session');
      expect(isRunning(grandchild)).toBe(false);
      expect(processesInGroup(group)).toEqual([]);
      const show = await kit().cli(['sessions', 'show', sessionId, '--json'], { cwd, env });
      expect(show.code, show.stderr).toBe(0);
      expect(JSON.parse(show.stdout)).toMatchObject({ session_id: sessionId, status: 'cancelled' });
    },
    BUDGET_MS * 2,
  );

  it('embedded: a second signal cancels at once and still leaves nothing behind', async () => {
    const { cwd, env, run, sessionId, grandchild, group } = await runGrandchild(kit());
    run.child.kill('SIGTERM');
    await eventually(async () => run.stderr().includes('stopping the session'), BUDGET_MS);
    run.child.kill('SIGTERM');
    const { code } = await run.exited;
    expect(code, run.stderr()).toBe(130);
    expect(isRunning(grandchild)).toBe(false);
    expect(processesInGroup(group)).toEqual([]);
    const show = await kit().cli(['sessions', 'show', sessionId, '--json'], { cwd, env });
    expect(JSON.parse(show.stdout)).toMatchObject({ status: 'cancelled' });
  }, BUDGET_MS * 2);

  it('separate coordinator: SIGTERM requests the stop of its session there, whose runner cancels it', async () => {
    const { api, url } = await kit().coordinator();
    const pidFile = join(kit().pidDir, 'grandchild');
    await kit().daemon(['-c', url, '-x', 'grandchild', '--grace', '300ms'], { PID_FILE: pidFile });
    const run = kit().spawnCli(['run', '-c', url, '-x', 'grandchild', '--json', 'x']);
    const { sessionId, grandchild, group } = await startedGrandchild(run, pidFile);
    run.child.kill('SIGTERM');
    const { code } = await run.exited;
    expect(code, run.stderr()).toBe(130);
    const session = await waitForSession(api, sessionId, ['cancelled', 'failed', 'idle'], BUDGET_MS);
    expect(session.status).toBe('cancelled');
    await eventually(async () => !isRunning(grandchild) && processesInGroup(group).length === 0, BUDGET_MS);
  }, BUDGET_MS * 2);

  it('stdin that is not a terminal (/dev/null in CI) does not stop the run', async () => {
    const cwd = kit().tempDir();
    const run = await kit().cli(['run', '-x', 'sh-echo', 'hello'], { cwd, env: { AGENT_RUNNER_LOCAL_PORT: String(await freePort()) } });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toContain('stopping');
  });
});
