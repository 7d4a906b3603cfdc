import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../coordinator/store/store.js';
import { openFreshStore, STORE_KINDS } from './helpers.js';

const base = { agent: null, executor: 'test', tags: [], project_dir: null, parent_session_id: null, priority: 0, timeout_s: null, prompt: 'hi', max_attempts: 2 };

describe.each(STORE_KINDS)('a claim limited to session trees (%s; issue 11, item 6)', (kind) => {
  let store: Store;
  let close: (() => Promise<void>) | undefined;
  const now = 1_000_000;

  beforeEach(async () => {
    ({ store, close } = await openFreshStore(kind));
    await store.registerRunner({ id: 'r1', name: 'r1', hostname: null, executors: ['test'], tags: [], capacity: 8, metadata: null }, 'hash', now);
  });
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('claims only runs of the roots and their descendants, never an older unrelated run', async () => {
    const leftover = await store.createSession({ ...base, priority: 9 }, now);
    const root = await store.createSession(base, now + 1);
    const child = await store.createSession({ ...base, parent_session_id: root.session.id }, now + 2);
    const grandchild = await store.createSession({ ...base, parent_session_id: child.session.id }, now + 3);
    const runner = { id: 'r1', executors: ['test'], tags: [], roots: [root.session.id] };
    const claimed = await store.claimRuns(runner, now + 10, 8);
    expect(claimed.map((r) => r.id).sort()).toEqual([root.run.id, child.run.id, grandchild.run.id].sort());
    expect(await store.claimRuns(runner, now + 10, 8)).toEqual([]);
    expect((await store.getRun(leftover.run.id))?.status).toBe('queued');
    // Without roots (a long-lived daemon) the leftover is served.
    expect((await store.claimRuns({ id: 'r1', executors: ['test'], tags: [] }, now + 10, 8)).map((r) => r.id)).toEqual([leftover.run.id]);
  });
});
