/**
 * A poll's claim of several runs at once (`max`), in the store (both dialects; one statement on PostgreSQL):
 * queue order, each run's `claimed` event numbered after its session's, two runs of one session numbered in
 * claim order, and no run claimed twice by claimers racing for the same queue.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { insertRun } from '../../coordinator/store/ops/create-session.js';
import type { Store } from '../../coordinator/store/store.js';
import { openFreshStore, STORE_KINDS } from './helpers.js';

const base = { agent: null, executor: 'test', tags: [], project_dir: null, parent_session_id: null, priority: 0, timeout_s: null, prompt: 'hi', max_attempts: 3 };

describe.each(STORE_KINDS)('claiming several runs in one claim (%s)', (kind) => {
  let store: Store;
  let close: (() => Promise<void>) | undefined;
  const now = 1_000_000;

  beforeEach(async () => {
    ({ store, close } = await openFreshStore(kind));
  });
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  const register = async (id: string) => {
    await store.registerRunner({ id, name: id, hostname: null, executors: ['test'], tags: [], capacity: 16, metadata: null, credential_profiles: [], default_executor: 'test' }, 'hash', now);
    const { runner } = (await store.getRunnerWithToken(id))!;
    return { id: runner.id, executors: runner.executors, tags: runner.tags, credential_profiles: runner.credential_profiles, default_executor: runner.default_executor };
  };

  it('takes up to max in queue order, with their sessions, and numbers each claimed event after its session\'s', async () => {
    const low = await store.createSession({ ...base, prompt: 'low' }, now);
    const high = await store.createSession({ ...base, prompt: 'high', priority: 5 }, now);
    // A second queued run of `low`'s session (as a callback's resume queues one): both are claimed together.
    const again = await store.sql.transaction((tx) =>
      insertRun(tx, { id: 'run_again', session_id: low.session.id, mode: 'resume', prompt: 'again', priority: 0, executor: 'test', tags: '[]', timeout_s: null, max_attempts: 3, executor_session_id: null }, now),
    );
    const later = await store.createSession({ ...base, prompt: 'later' }, now);
    const runner = await register('rnr_many');
    const claimed = await store.claimAssignments(runner, now + 1, 3);
    expect(claimed.map((c) => c.run.id)).toEqual([high.run.id, low.run.id, again.id]);
    for (const c of claimed) expect(c.run).toMatchObject({ status: 'claimed', runner_id: 'rnr_many', claimed_at: now + 1 });
    expect(claimed.map((c) => c.session.id)).toEqual([high.session.id, low.session.id, low.session.id]);
    const events = await store.listEvents(low.session.id, 0, 100);
    expect(events.map((e) => [e.seq, e.run_id, (e.data as { status: string }).status])).toEqual([
      [1, low.run.id, 'queued'],
      [2, again.id, 'queued'],
      [3, low.run.id, 'claimed'],
      [4, again.id, 'claimed'],
    ]);
    // What is left is claimed next; then nothing.
    expect((await store.claimAssignments(runner, now + 2, 3)).map((c) => c.run.id)).toEqual([later.run.id]);
    expect(await store.claimAssignments(runner, now + 3, 3)).toEqual([]);
  });

  it('four claimers racing over 60 runs, 8 at a time, claim each exactly once', async () => {
    const created = [];
    for (let i = 0; i < 60; i++) created.push((await store.createSession({ ...base, prompt: `run ${i}` }, now)).run.id);
    const runners = await Promise.all(['rnr_a', 'rnr_b', 'rnr_c', 'rnr_d'].map(register));
    const taken: string[][] = runners.map(() => []);
    await Promise.all(
      runners.map(async (runner, i) => {
        for (;;) {
          const claimed = await store.claimAssignments(runner, now + 1, 8);
          if (claimed.length === 0) return;
          taken[i]!.push(...claimed.map((c) => c.run.id));
        }
      }),
    );
    const all = taken.flat();
    expect(all.length).toBe(60);
    expect(new Set(all)).toEqual(new Set(created));
    for (const [i, ids] of taken.entries()) for (const id of ids) expect((await store.getRun(id))!.runner_id).toBe(runners[i]!.id);
  });
});
