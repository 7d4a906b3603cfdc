import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../coordinator/store/store.js';
import { openFreshStore, STORE_KINDS } from './helpers.js';

const base = { agent: null, executor: 'test', tags: [] as string[], project_dir: null, parent_session_id: null, priority: 0, timeout_s: null, prompt: 'hi', max_attempts: 2 };

describe.each(STORE_KINDS)('a claim matches tags in the store (%s)', (kind) => {
  let store: Store;
  let close: (() => Promise<void>) | undefined;
  const now = 1_000_000;

  beforeEach(async () => {
    ({ store, close } = await openFreshStore(kind));
    for (const id of ['plain', 'gpu'])
      await store.registerRunner({ id, name: id, hostname: null, executors: ['test'], tags: id === 'gpu' ? ['gpu', "it's \"odd\" %_"] : [], capacity: 8, metadata: null }, 'hash', now);
  });
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('finds a run it can serve behind any number of runs it cannot, and leaves those for a runner that can', async () => {
    const tagged = [];
    for (let i = 0; i < 40; i++) tagged.push((await store.createSession({ ...base, priority: 5, tags: ['gpu'] }, now + i)).run.id);
    const plain = await store.createSession(base, now + 100);
    const plainRunner = { id: 'plain', executors: ['test'], tags: [] };
    expect((await store.claimRuns(plainRunner, now + 200, 8)).map((r) => r.id)).toEqual([plain.run.id]);
    expect(await store.claimRuns(plainRunner, now + 200, 8)).toEqual([]);
    // The runner with the tag takes them in priority then creation order, `max` at a time.
    const gpuRunner = { id: 'gpu', executors: ['test'], tags: ['gpu', "it's \"odd\" %_"] };
    expect((await store.claimRuns(gpuRunner, now + 200, 8)).map((r) => r.id)).toEqual(tagged.slice(0, 8));
    expect((await store.getRun(tagged[8]!))?.status).toBe('queued');
  });

  it('needs every tag of the run; a tag is compared whole, quotes and wildcards as text', async () => {
    const both = await store.createSession({ ...base, tags: ['gpu', "it's \"odd\" %_"] }, now);
    const wildcard = await store.createSession({ ...base, tags: ['%'] }, now + 1);
    const partial = await store.createSession({ ...base, tags: ['gp'] }, now + 2);
    const gpuOnly = { id: 'gpu', executors: ['test'], tags: ['gpu'] };
    expect(await store.claimRuns(gpuOnly, now + 10, 8)).toEqual([]);
    const gpuRunner = { id: 'gpu', executors: ['test'], tags: ['gpu', "it's \"odd\" %_"] };
    expect((await store.claimRuns(gpuRunner, now + 10, 8)).map((r) => r.id)).toEqual([both.run.id]);
    for (const left of [wildcard, partial]) expect((await store.getRun(left.run.id))?.status).toBe('queued');
  });
});
