import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openProjectState } from '../../lib/state/project-state.js';
import { eventually } from '../coordinator/helpers.js';
import { allEvents, createSession, freePort, type RunnerKit, useRunnerKit, waitForEvent } from './runner-kit.js';

/** A runner's shutdown gives up after drain + grace + 15 s; then the replay. Generous for a busy machine. */
const TEST_BUDGET_MS = 150_000;
const spoolsIn = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.spool.jsonl'));

/**
 * A runner on `cwd` runs a ticker session; the coordinator is killed, the executor ends, and the runner,
 * told to stop, gives up delivering and leaves its outcome and events in a spool file. The coordinator
 * then comes back on the same database. @returns what the test needs to start the next runner.
 */
async function leaveSpool(kit: RunnerKit, coordinatorArgs: string[]) {
  const port = await freePort();
  const first = await kit.coordinator({ port, args: coordinatorArgs });
  const cwd = kit.tempDir();
  const stateDir = openProjectState(cwd);
  const go = join(kit.dir, 'go');
  const env = { GO_FILE: go, AGENT_RUNNER_LOCAL_PORT: String(await freePort()) };
  const runner = kit.spawnCli(['-c', first.url, '-x', 'ticker', '--drain-timeout', '1s', '--grace', '1s'], { cwd, env });
  await runner.waitForLog((l) => l.msg === 'registered with the coordinator', 'the first runner to register');
  const { session_id, run_id } = await createSession(first.api, { executor: 'ticker', prompt: 'work', max_attempts: 3 });
  await waitForEvent(first.api, session_id, (e) => e.type === 'progress' && e.event.message === 'tick 3');

  await first.proc.stop('SIGKILL');
  writeFileSync(go, '');
  await runner.waitForLog((l) => l.run === run_id && typeof l.kind === 'string', 'the executor to end', 30_000);
  runner.child.kill('SIGTERM');
  expect((await runner.exited).code).toBe(1); // it could not deliver
  expect(spoolsIn(stateDir)).toHaveLength(1);

  const again = await kit.coordinator({ port, database: first.database, args: coordinatorArgs });
  // The next runner serves another executor: only the replay can change this run.
  const startNext = () => kit.spawnCli(['-c', again.url, '-x', 'slow-echo'], { cwd, env: { AGENT_RUNNER_LOCAL_PORT: env.AGENT_RUNNER_LOCAL_PORT } });
  return { api: again.api, stateDir, session_id, run_id, startNext };
}

describe('the event spool of a runner that is gone', () => {
  const kit = useRunnerKit();

  it('is replayed by the next runner on the same state folder, as its owner: the run ends with every event, and the file goes', async () => {
    const { api, stateDir, session_id, run_id, startNext } = await leaveSpool(kit(), ['--lease', '10m']);
    const next = startNext();
    await next.waitForLog((l) => l.msg === 'replayed the spool of an earlier runner', 'the replay', 60_000);

    expect((await api('GET', `/v1/runs/${run_id}`)).body).toMatchObject({ status: 'succeeded', attempt: 1 });
    const ticks = (await allEvents(api, session_id)).filter((e) => e.type === 'progress').map((e) => e.event.message);
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(ticks).toEqual(ticks.map((_, i) => `tick ${i + 1}`)); // every tick once, in order
    expect(spoolsIn(stateDir)).toEqual([]);
  }, TEST_BUDGET_MS);

  it('reports of an attempt that is over are skipped by the coordinator, and the file goes', async () => {
    const fastLease = ['--lease', '1s', '--heartbeat-interval', '300ms', '--sweep-interval', '100ms', '--backoff-base', '10m', '--backoff-max', '10m'];
    const { api, stateDir, run_id, startNext } = await leaveSpool(kit(), fastLease);
    // The coordinator takes the run back from the gone runner: attempt 2 waits in the queue.
    await eventually(async () => (await api('GET', `/v1/runs/${run_id}`)).body.attempt === 2, 30_000);
    const next = startNext();
    await next.waitForLog((l) => l.msg === 'replayed the spool of an earlier runner', 'the replay', 60_000);

    expect((await api('GET', `/v1/runs/${run_id}`)).body).toMatchObject({ status: 'queued', attempt: 2 });
    expect(spoolsIn(stateDir)).toEqual([]);
  }, TEST_BUDGET_MS);

  it('that cannot be read is kept, and the log says so', async () => {
    const { url } = await kit().coordinator();
    const cwd = kit().tempDir();
    // Written by a runner that is gone (no process has pid 0), in a shape this version cannot read.
    const spool = join(openProjectState(cwd), 'events-0-1-0badc0de.spool.jsonl');
    writeFileSync(spool, '{"kind":"event","run_id":"run_x","attempt":1}\n');
    const runner = kit().spawnCli(['-c', url, '-x', 'slow-echo'], { cwd, env: { AGENT_RUNNER_LOCAL_PORT: String(await freePort()) } });
    const warning = await runner.waitForLog((l) => l.msg === 'cannot read the spool of an earlier runner; keeping it', 'the warning', 60_000);
    expect(warning).toMatchObject({ spool, err: expect.stringContaining('line 1') });
    expect(existsSync(spool)).toBe(true);
  }, TEST_BUDGET_MS);
});
