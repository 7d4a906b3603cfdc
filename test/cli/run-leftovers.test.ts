import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiClient, eventually } from '../coordinator/helpers.js';
import { createSession, freePort, processGroupOf, useRunnerKit, waitForSession } from '../runner/runner-kit.js';

/** Above the embedded coordinator's lease (30 s), so the leftover is re-queued while the second command runs. */
const BUDGET_MS = 120_000;

/** The first `--json` event line that names a session (session_id, run_id). */
const firstEvent = (stdout: string) => {
  const line = stdout.split('\n').find((l) => l.includes('"session_id"'));
  return line === undefined ? undefined : (JSON.parse(line) as { session_id: string; run_id: string });
};

describe('leftovers of an earlier command are not run by an unrelated one (issue 11, item 6)', () => {
  const kit = useRunnerKit();

  it('a `run` killed with SIGKILL leaves its session; a second `run` in the folder serves only its own tree; `sessions list` shows the leftover interrupted', async () => {
    const cwd = kit().tempDir();
    const port = String(await freePort());
    const firstPid = join(kit().pidDir, 'first');
    const first = kit().spawnCli(['run', '-x', 'grandchild', '--json', 'first'], { cwd, env: { AGENT_RUNNER_LOCAL_PORT: port, PID_FILE: firstPid } });
    const left = await eventually(async () => existsSync(firstPid) && firstEvent(first.stdout()), BUDGET_MS);
    first.child.kill('SIGKILL');
    await first.exited;
    // Its executors are orphaned (item 7, not this test's concern): end them so they use no CPU.
    process.kill(-processGroupOf(Number(readFileSync(firstPid, 'utf8').trim())), 'SIGKILL');

    const secondPid = join(kit().pidDir, 'second');
    const second = kit().spawnCli(['run', '-x', 'grandchild', '--json', '-v', 'second'], { cwd, env: { AGENT_RUNNER_LOCAL_PORT: port, PID_FILE: secondPid } });
    const listening = await second.waitForLog((l) => l.msg === 'coordinator listening', 'the embedded coordinator', BUDGET_MS);
    const api = apiClient(String(listening.url));
    const own = await eventually(async () => existsSync(secondPid) && firstEvent(second.stdout()), BUDGET_MS);

    // The second command's coordinator takes the dead runner's lease back: the leftover is queued again.
    await eventually(async () => {
      const run = (await api('GET', `/v1/runs/${left.run_id}`)).body;
      return run.status === 'queued' && run.attempt >= 2 && Date.parse(run.available_at) <= Date.now();
    }, BUDGET_MS);
    // A claim the second runner must make (a child of its own session): the same claim would take the
    // older leftover first if it were not limited to the command's own tree.
    const child = await createSession(api, { executor: 'sh-echo', prompt: 'child', parent_session_id: own.session_id, project_dir: cwd });
    await waitForSession(api, child.session_id, ['idle'], BUDGET_MS);
    expect((await api('GET', `/v1/runs/${left.run_id}`)).body).toMatchObject({ status: 'queued', runner_id: null });

    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(130);
    const list = await kit().cli(['sessions', 'list'], { cwd, env: { AGENT_RUNNER_LOCAL_PORT: port } });
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^${left.session_id}\\s+interrupted\\s`, 'm'));
    expect(list.stdout).toMatch(new RegExp(`^${own.session_id}\\s+cancelled\\s`, 'm'));
    expect(list.stdout).toContain('agent-runner sessions resume');
  }, BUDGET_MS * 2);
});
