import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually, freshDatabase, STORE_KINDS, type StoreKind } from '../coordinator/helpers.js';
import { isRunning } from '../helpers/fixtures.js';
import { createSession, processesInGroup, type RunnerKit, useRunnerKit, waitForEvent, waitForSession } from './runner-kit.js';

const ENDED = ['idle', 'failed', 'cancelled'];

/**
 * A coordinator on `kind`, two runners (tags `a` and `b`) serving the ticker, and a tree: a parent running on
 * runner a, its child running on runner b, and a grandchild queued (no runner has its executor).
 */
async function treeOnTwoRunners(kit: RunnerKit, kind: StoreKind) {
  const db = await freshDatabase(kind);
  kit.afterCleanup(db.drop);
  const { api, url } = await kit.coordinator({
    database: db.databaseUrl,
    args: db.databaseSchema === undefined ? [] : ['--database-schema', db.databaseSchema],
  });
  // Ticks until this file exists, which no test creates: the runs end only when stopped.
  const env = { GO_FILE: join(kit.dir, 'never') };
  await kit.daemon(['-c', url, '-x', 'ticker', '-t', 'a', '--grace', '2s'], env);
  await kit.daemon(['-c', url, '-x', 'ticker', '-t', 'b', '--grace', '2s'], env);
  const parent = await createSession(api, { executor: 'ticker', tags: ['a'], prompt: 'parent' });
  const child = await createSession(api, { executor: 'ticker', tags: ['b'], prompt: 'child', parent_session_id: parent.session_id });
  const grandchild = await createSession(api, { executor: 'nobody-serves-this', prompt: 'grandchild', parent_session_id: child.session_id });
  await waitForEvent(api, parent.session_id, (e) => e.type === 'progress', 60_000);
  await waitForEvent(api, child.session_id, (e) => e.type === 'progress', 60_000);
  const runnerOf = async (id: string) => (await api('GET', `/v1/sessions/${id}`)).body.runner_id as string;
  expect(await runnerOf(parent.session_id)).not.toBe(await runnerOf(child.session_id));
  return { api, url, parent, child, grandchild };
}

describe.each(STORE_KINDS)('a stop reaches the whole tree (%s)', (kind) => {
  const kit = useRunnerKit();

  it('`sessions stop` of the parent cancels its running child on another runner and its queued grandchild; no executor is left', { timeout: 120_000 }, async () => {
    const { api, url, parent, child, grandchild } = await treeOnTwoRunners(kit(), kind);
    const stop = await kit().cli(['sessions', 'stop', parent.session_id, '-c', url]);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toContain(`descendant ${child.session_id}`);
    expect(stop.stdout).toContain(`descendant ${grandchild.session_id}: cancelled`);
    for (const s of [parent, child, grandchild]) {
      expect(await waitForSession(api, s.session_id, ENDED, 60_000)).toMatchObject({ status: 'cancelled' });
      expect((await api('GET', `/v1/runs/${s.run_id}`)).body.status).toBe('cancelled');
    }
    const pids = kit().executorPids();
    expect(pids).toHaveLength(2);
    for (const pid of pids) {
      expect(isRunning(pid)).toBe(false);
      expect(processesInGroup(pid)).toEqual([]); // each executor led its own group: nothing of it is left
    }
  });

  it('with --no-cascade only the parent is stopped: its child keeps running and its grandchild stays queued', { timeout: 120_000 }, async () => {
    const { api, url, parent, child, grandchild } = await treeOnTwoRunners(kit(), kind);
    const stop = await kit().cli(['sessions', 'stop', parent.session_id, '--no-cascade', '-c', url, '--json']);
    expect(stop.code).toBe(0);
    expect(JSON.parse(stop.stdout)).toMatchObject({ session_id: parent.session_id, descendants: [], more_descendants: false });
    expect(await waitForSession(api, parent.session_id, ENDED, 60_000)).toMatchObject({ status: 'cancelled' });
    // The child still ticks after its parent ended: new events arrive after the parent's end.
    const seen = (await api('GET', `/v1/sessions/${child.session_id}`)).body.last_event_seq as number;
    await eventually(async () => (((await api('GET', `/v1/sessions/${child.session_id}`)).body.last_event_seq as number) > seen ? true : undefined), 60_000);
    expect((await api('GET', `/v1/sessions/${child.session_id}`)).body.status).toBe('running');
    expect((await api('GET', `/v1/sessions/${grandchild.session_id}`)).body.status).toBe('queued');
  });
});
