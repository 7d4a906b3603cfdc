import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processStartTime } from '../../lib/process/proc-table.js';
import { openProjectState } from '../../lib/state/project-state.js';
import { eventually } from '../coordinator/helpers.js';
import { isRunning } from '../helpers/fixtures.js';
import { createSession, freePort, type RunnerKit, useRunnerKit, waitForEvent, waitForSession } from './runner-kit.js';

/** Generous: a watchdog or a runner start on a busy machine; the check polls and returns as soon as it holds. */
const GONE_WITHIN_MS = 30_000;
/** Each test's own budget: the waits above plus starting a coordinator and a runner. */
const TEST_BUDGET_MS = 90_000;

/** The pids the escapes-group fixture wrote: its own, its child's (0 when it started none), its escapee's. */
function fixturePids(kit: RunnerKit): { executor: number; child: number; escapee: number } {
  const read = (name: string) => Number(readFileSync(join(kit.pidDir, name), 'utf8').trim() || '0');
  return { executor: kit.executorPids()[0]!, child: read('child'), escapee: read('escapee') };
}

/** A detached shell loop (its own process group), killed at cleanup through the kit's pid folder. */
function startLoneGroup(kit: RunnerKit, name: string) {
  const child = spawn('sh', ['-c', 'while :; do sleep 1; done'], { detached: true, stdio: 'ignore' });
  writeFileSync(join(kit.pidDir, name), String(child.pid));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { pid: child.pid!, exited };
}

describe('no executor outlives its runner (Linux)', () => {
  const kit = useRunnerKit();

  it('after kill -9 of the runner, its executor, the executor\'s child and a grandchild that left the group with setsid end within seconds', async () => {
    const { api, url } = await kit().coordinator();
    const runner = await kit().daemon(['-c', url, '-x', 'escapes-group']);
    const { session_id } = await createSession(api, { executor: 'escapes-group', prompt: 'wait' });
    await waitForEvent(api, session_id, (e) => e.type === 'progress');
    const pids = Object.values(fixturePids(kit()));
    expect(pids.every(isRunning)).toBe(true);

    runner.child.kill('SIGKILL');
    await runner.exited;
    await eventually(async () => pids.every((pid) => !isRunning(pid)), GONE_WITHIN_MS);
  }, TEST_BUDGET_MS);

  it('an executor that exits leaving a grandchild outside its group: the outcome says so, and the grandchild is ended', async () => {
    const { api, url } = await kit().coordinator();
    await kit().daemon(['-c', url, '-x', 'escapes-group', '--grace', '300ms']);
    const { session_id, run_id } = await createSession(api, { executor: 'escapes-group', prompt: 'escape and exit' });
    await waitForSession(api, session_id, ['idle', 'failed']);
    const run = await api('GET', `/v1/runs/${run_id}`);
    expect(run.body.outcome).toMatchObject({ kind: 'succeeded', left_processes_behind: true });
    const { escapee } = fixturePids(kit());
    await eventually(async () => !isRunning(escapee), GONE_WITHIN_MS);
  }, TEST_BUDGET_MS);

  it('a runner started again on the same state folder ends the groups its dead predecessor recorded, never a process that reuses a recorded pid', async () => {
    const { url } = await kit().coordinator();
    const cwd = kit().tempDir();
    const stateDir = openProjectState(cwd);
    const leftover = startLoneGroup(kit(), 'leftover');
    const unrelated = startLoneGroup(kit(), 'unrelated');
    const startOf = (pid: number) => processStartTime(pid)!;
    // The predecessor (pid 0 never names a live runner) noted both; the second with another start time, as
    // if the pid had been reused since.
    const ledger = join(stateDir, 'executors-0-1.json');
    writeFileSync(
      ledger,
      JSON.stringify({
        runner: { pid: 0, start_time: '1' },
        groups: [
          { pgid: leftover.pid, start_time: startOf(leftover.pid), mark: 'leftover-mark' },
          { pgid: unrelated.pid, start_time: `${Number(startOf(unrelated.pid)) + 1}`, mark: 'unrelated-mark' },
        ],
      }),
    );

    const runner = kit().spawnCli(['-c', url, '-x', 'escapes-group'], { cwd, env: { AGENT_RUNNER_LOCAL_PORT: String(await freePort()) } });
    await runner.waitForLog((l) => l.msg === 'registered with the coordinator', 'the runner to register', GONE_WITHIN_MS);
    await leftover.exited; // ended before the runner registered (the test's timeout bounds the wait)
    expect(existsSync(ledger)).toBe(false);
    expect(isRunning(unrelated.pid)).toBe(true);
    expect(runner.logs.some((l) => l.msg === 'ended executors an earlier runner left running')).toBe(true);
  }, TEST_BUDGET_MS);
});
