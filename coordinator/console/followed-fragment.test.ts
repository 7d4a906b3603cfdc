// Fragments shared between the pages that follow GET /v1/changes: one render per feed version, never a
// render from before a message for a read after it. A real ChangesFeed on a real WakeHub.
import { describe, expect, it } from 'vitest';
import { ChangesFeed, type FeedChunk } from '../events/changes-feed.js';
import { CHANGES_TOPIC, WakeHub } from '../events/wake-hub.js';
import { FOLLOWED_FRAGMENT_KEYS, FOLLOWED_FRAGMENT_MAX_AGE_MS, followedFragments, type FragmentAnswer } from './followed-fragment.js';

/** A feed with one follower, and a way to make it cut a message and wait until it did. */
function followedFeed() {
  const hub = new WakeHub();
  const feed = new ChangesFeed(hub, { intervalMs: 1, keepAliveMs: 60_000 });
  let heard: (() => void) | null = null;
  const stop = feed.follow((_chunk: FeedChunk) => heard?.());
  const cut = async (id: string) => {
    const sent = new Promise<void>((resolve) => (heard = resolve));
    hub.signal(CHANGES_TOPIC, [{ kind: 'events', session_id: id }]);
    await sent;
  };
  return { feed, cut, stop };
}

/** A render that counts its calls and answers when told to. */
function renderer() {
  let calls = 0;
  const open: Array<(answer: FragmentAnswer) => void> = [];
  const render = () => {
    calls += 1;
    return new Promise<FragmentAnswer>((resolve) => open.push(resolve));
  };
  const finish = () => open.splice(0).forEach((resolve, i) => resolve({ status: 200, html: `render ${calls - i}` }));
  return { render, finish, calls: () => calls };
}

describe('followedFragments', () => {
  it('renders a fragment once per feed message for every read of it', async () => {
    const { feed, cut, stop } = followedFeed();
    try {
      const shared = followedFragments(feed);
      const r = renderer();
      const reads = Array.from({ length: 50 }, () => shared('/sessions', r.render));
      r.finish();
      const answers = await Promise.all(reads);
      expect(r.calls()).toBe(1);
      expect(new Set(answers.map((a) => a.html)).size).toBe(1);
      // A read after the render ended, before the next message: the same answer.
      expect((await shared('/sessions', r.render)).html).toBe(answers[0]!.html);
      expect(r.calls()).toBe(1);
      // Another fragment is its own render.
      const other = shared('/sessions?status=failed', r.render);
      r.finish();
      await other;
      expect(r.calls()).toBe(2);

      // After a message, the next read renders again.
      await cut('ses_1');
      const after = shared('/sessions', r.render);
      r.finish();
      await after;
      expect(r.calls()).toBe(3);
    } finally {
      stop();
    }
  });

  it('never gives a read after a message a render that started before it', async () => {
    const { feed, cut, stop } = followedFeed();
    try {
      const shared = followedFragments(feed);
      const r = renderer();
      const early = shared('/sessions', r.render);
      await cut('ses_2');
      const late = shared('/sessions', r.render);
      expect(r.calls()).toBe(2);
      r.finish();
      expect((await early).html).not.toBe((await late).html);
    } finally {
      stop();
    }
  });

  it('shares nothing while nobody follows the feed', async () => {
    const feed = new ChangesFeed(new WakeHub(), { keepAliveMs: 60_000 });
    const shared = followedFragments(feed);
    const r = renderer();
    const reads = [shared('/sessions', r.render), shared('/sessions', r.render)];
    r.finish();
    await Promise.all(reads);
    expect(r.calls()).toBe(2);
  });

  it('keeps no failed render, and hands its error to the reads that shared it', async () => {
    const { feed, stop } = followedFeed();
    try {
      const shared = followedFragments(feed);
      let calls = 0;
      const failing = () => {
        calls += 1;
        return Promise.reject(new Error('store: gone'));
      };
      const reads = [shared('/sessions', failing), shared('/sessions', failing)];
      for (const read of reads) await expect(read).rejects.toThrow('store: gone');
      expect(calls).toBe(1);
      await expect(shared('/sessions', failing)).rejects.toThrow('store: gone');
      expect(calls).toBe(2);
    } finally {
      stop();
    }
  });

  it('keeps a bounded number of fragments (hostile URLs cannot grow it), and none past its age', async () => {
    const { feed, stop } = followedFeed();
    try {
      let now = 1_000_000;
      const shared = followedFragments(feed, () => now);
      let calls = 0;
      const render = async () => ((calls += 1), { status: 200, html: 'x' });
      for (let i = 0; i < FOLLOWED_FRAGMENT_KEYS + 100; i++) await shared(`/sessions?q=${'<script>'.repeat(i)}`, render);
      expect(calls).toBe(FOLLOWED_FRAGMENT_KEYS + 100);
      // The first keys are kept; one past the bound is rendered on each read.
      await shared('/sessions?q=', render);
      expect(calls).toBe(FOLLOWED_FRAGMENT_KEYS + 100);
      const past = `/sessions?q=${'<script>'.repeat(FOLLOWED_FRAGMENT_KEYS + 50)}`;
      await shared(past, render);
      expect(calls).toBe(FOLLOWED_FRAGMENT_KEYS + 101);
      // However quiet the store, an answer serves for FOLLOWED_FRAGMENT_MAX_AGE_MS at most.
      now += FOLLOWED_FRAGMENT_MAX_AGE_MS + 1;
      await shared('/sessions?q=', render);
      expect(calls).toBe(FOLLOWED_FRAGMENT_KEYS + 102);
    } finally {
      stop();
    }
  });
});
