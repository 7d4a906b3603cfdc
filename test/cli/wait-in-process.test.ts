import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually } from '../coordinator/helpers.js';
import { freePort, processGroupOf, useRunnerKit } from '../runner/runner-kit.js';

/** The first `--json` event line that names a session. */
const firstEvent = (stdout: string) => {
  const line = stdout.split('\n').find((l) => l.includes('"session_id"'));
  return line === undefined ? undefined : (JSON.parse(line) as { session_id: string; run_id: string });
};

// With no coordinator running, `sessions wait` opens the folder's database itself: it polls a session that
// another command in the folder runs, and fails at once for one that nobody will end.
describe('sessions wait without a coordinator running', { timeout: 180_000 }, () => {
  const kit = useRunnerKit();

  it('waits for the session a `run` in the same folder runs, until it ends', async () => {
    const cwd = kit().tempDir();
    const goFile = join(kit().dir, 'go');
    const env = { AGENT_RUNNER_LOCAL_PORT: String(await freePort()), GO_FILE: goFile };
    const run = kit().spawnCli(['run', '-x', 'ticker', '--json', 'tick'], { cwd, env });
    const started = await eventually(async () => firstEvent(run.stdout()));
    await eventually(async () => run.stdout().includes('"tick 1"'));
    const waiter = kit().spawnCli(['sessions', 'wait', started.session_id], { cwd, env });
    writeFileSync(goFile, '');
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(await waiter.exited).toEqual({ code: 0, signal: null });
    expect(waiter.stdout()).toBe(`✔ ${started.session_id} succeeded\n`);
  });

  it('fails at once, saying how to go on, for a session an earlier command left in flight', async () => {
    const cwd = kit().tempDir();
    const pidFile = join(kit().pidDir, 'left');
    const env = { AGENT_RUNNER_LOCAL_PORT: String(await freePort()), PID_FILE: pidFile };
    const run = kit().spawnCli(['run', '-x', 'grandchild', '--json', 'left behind'], { cwd, env });
    // Running as far as the coordinator knows (the executor may start before its runner's report lands).
    const left = await eventually(async () => existsSync(pidFile) && run.stdout().includes('"status":"running"') && firstEvent(run.stdout()));
    run.child.kill('SIGKILL');
    await run.exited;
    process.kill(-processGroupOf(Number(readFileSync(pidFile, 'utf8').trim())), 'SIGKILL');

    const wait = await kit().cli(['sessions', 'wait', left.session_id], { cwd, env });
    expect(wait).toMatchObject({ code: 1, stdout: '' });
    expect(wait.stderr).toContain(`${left.session_id} is interrupted: it is running, but the command that ran it ended`);
    expect(wait.stderr).toContain(`agent-runner sessions resume ${left.session_id} PROMPT`);
    const result = await kit().cli(['sessions', 'result', left.session_id], { cwd, env });
    expect(result).toMatchObject({ code: 1, stdout: '' });
  });
});
