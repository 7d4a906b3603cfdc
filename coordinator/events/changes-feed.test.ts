// The feed behind GET /v1/changes: one summary per cut, the same bytes for every follower, listening to
// the store's changes (the hub's `changes` topic) only while followed. Driven through a real WakeHub.
import { afterEach, describe, expect, it } from 'vitest';
import type { StoreChange } from '../store/store-changes.js';
import { ChangesFeed, MAX_CHANGE_IDS, READ_EVERYTHING_AGAIN, type FeedChunk } from './changes-feed.js';
import { CHANGES_TOPIC, WakeHub } from './wake-hub.js';

const decoder = new TextDecoder();
const session = (id: string): StoreChange => ({ kind: 'events', session_id: id });

/** A follower that keeps what it got, and waits for the next chunk. */
function collector(feed: ChangesFeed) {
  const chunks: FeedChunk[] = [];
  let waiting: (() => void) | null = null;
  const stop = feed.follow((chunk) => {
    chunks.push(chunk);
    waiting?.();
  });
  const next = async (): Promise<FeedChunk> => {
    const seen = chunks.length;
    while (chunks.length === seen) await new Promise<void>((resolve) => (waiting = resolve));
    return chunks[seen]!;
  };
  return { chunks, next, stop };
}

const message = (chunk: FeedChunk) => {
  const text = decoder.decode(chunk);
  expect(text.startsWith('event: change\ndata: ')).toBe(true);
  return JSON.parse(text.slice('event: change\ndata: '.length)) as { sessions: string[]; trees: string[]; more: boolean };
};

describe('ChangesFeed', () => {
  const stops: Array<() => void> = [];
  afterEach(() => stops.splice(0).forEach((stop) => stop()));

  it('sends one summary, the same bytes, to every follower, and counts the cuts', async () => {
    const hub = new WakeHub();
    const feed = new ChangesFeed(hub, { intervalMs: 20, keepAliveMs: 60_000 });
    expect(feed.followed).toBe(false);
    expect(hub.waiting(CHANGES_TOPIC)).toBe(0);
    const followers = Array.from({ length: 5 }, () => collector(feed));
    stops.push(...followers.map((f) => f.stop));
    expect(hub.waiting(CHANGES_TOPIC)).toBe(1);
    const before = feed.version;

    const arrived = followers.map((f) => f.next());
    hub.signal(CHANGES_TOPIC, [session('ses_a'), session('ses_b')]);
    hub.signal(CHANGES_TOPIC, [session('ses_a'), { kind: 'tree', root_session_id: 'ses_r' }]);
    const chunks = await Promise.all(arrived);
    for (const chunk of chunks) expect(chunk).toBe(chunks[0]);
    expect(message(chunks[0]!)).toMatchObject({ sessions: ['ses_a', 'ses_b'], trees: ['ses_r'], more: false });
    expect(feed.version).toBe(before + 1);

    // Changes that come while the interval runs join the next message.
    const second = followers[0]!.next();
    hub.signal(CHANGES_TOPIC, [session('ses_c')]);
    hub.signal(CHANGES_TOPIC, [session('ses_d')]);
    expect(message(await second).sessions).toEqual(['ses_c', 'ses_d']);
    expect(followers[0]!.chunks).toHaveLength(2);
    expect(feed.version).toBe(before + 2);
  });

  it('ignores changes it does not sum up, and says more past 500 ids of a kind', async () => {
    const hub = new WakeHub();
    const feed = new ChangesFeed(hub, { intervalMs: 10, keepAliveMs: 60_000 });
    const f = collector(feed);
    stops.push(f.stop);
    const version = feed.version;
    hub.signal(CHANGES_TOPIC, [{ kind: 'runner', runner_id: 'run_x' }, { kind: 'nonsense' } as unknown as StoreChange]);
    const arrived = f.next();
    hub.signal(CHANGES_TOPIC, Array.from({ length: MAX_CHANGE_IDS + 20 }, (_, i) => session(`ses_${i}`)));
    const m = message(await arrived);
    expect(m.sessions).toHaveLength(MAX_CHANGE_IDS);
    expect(m.more).toBe(true);
    // The changes with nothing to say made no message and no version.
    expect(f.chunks).toHaveLength(1);
    expect(feed.version).toBe(version + 1);
  });

  it('listens to the store only while followed, and starts a new version each time', () => {
    const hub = new WakeHub();
    const feed = new ChangesFeed(hub, { keepAliveMs: 60_000 });
    const v0 = feed.version;
    const a = feed.follow(() => undefined);
    const b = feed.follow(() => undefined);
    expect(feed.followed).toBe(true);
    expect(feed.version).toBe(v0 + 1);
    a();
    a(); // a second call changes nothing
    expect(feed.followed).toBe(true);
    b();
    expect(feed.followed).toBe(false);
    expect(hub.waiting(CHANGES_TOPIC)).toBe(0);
    expect(feed.version).toBe(v0 + 2);
  });

  it('sends keep-alive comments while nothing changes', async () => {
    const hub = new WakeHub();
    const feed = new ChangesFeed(hub, { keepAliveMs: 10 });
    const f = collector(feed);
    stops.push(f.stop);
    const version = feed.version;
    expect(decoder.decode(await f.next())).toBe(': keep-alive\n\n');
    expect(decoder.decode(await f.next())).toBe(': keep-alive\n\n');
    expect(feed.version).toBe(version);
  });

  it('has a read-everything-again message for a follower that fell behind', () => {
    expect(message(READ_EVERYTHING_AGAIN)).toEqual({ sessions: [], trees: [], workflow_runs: [], questions: [], more: true });
  });
});
