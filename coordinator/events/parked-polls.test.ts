import { describe, expect, it } from 'vitest';
import { type ParkedPoll, ParkedPolls } from './parked-polls.js';

/** A poll that records the requirement it was woken with (or stays unwoken). */
function poll(id: string, executors: string[], tags: string[] = [], slots = 1, limitedToTrees = false) {
  const woken: Array<unknown> = [];
  const p: ParkedPoll = { runner: { id, executors, tags }, limitedToTrees, slots, wake: (requirement) => void woken.push(requirement) };
  return { p, woken };
}

describe('ParkedPolls', () => {
  it('wakes one poll per claimable run, the most recently parked that can serve it, and leaves the others parked', () => {
    const polls = new ParkedPolls();
    const all = Array.from({ length: 50 }, (_, i) => poll(`r${i}`, ['sh']));
    for (const { p } of all) polls.park(p);
    const run = { executor: 'sh', tags: [] };
    expect(polls.offer([run])).toBe(1);
    expect(all[49]!.woken).toEqual([run]);
    expect(all.slice(0, 49).every((x) => x.woken.length === 0)).toBe(true);
    expect(polls.size).toBe(49);
    expect(polls.offer([run, run, run])).toBe(3);
    expect(all.slice(46, 49).map((x) => x.woken.length)).toEqual([1, 1, 1]);
    expect(polls.size).toBe(46);
  });

  it('skips polls that cannot serve the run (executor, tags, a runner the run is excluded from)', () => {
    const polls = new ParkedPolls();
    const other = poll('a', ['claude-code']);
    const noGpu = poll('b', ['sh']);
    const excluded = poll('c', ['sh'], ['gpu']);
    const fits = poll('d', ['sh'], ['gpu', 'big']);
    for (const x of [other, noGpu, excluded, fits]) polls.park(x.p);
    expect(polls.offer([{ executor: 'sh', tags: ['gpu'], excluded_runners: ['c'] }])).toBe(1);
    expect([other, noGpu, excluded, fits].map((x) => x.woken.length)).toEqual([0, 0, 0, 1]);
    // Nobody can take it: nothing is woken, and it is not remembered (a poll that comes claims it).
    expect(polls.offer([{ executor: 'python', tags: [] }])).toBe(0);
    expect(polls.size).toBe(3);
  });

  it('gives a batch of runs to a poll with free slots before waking another', () => {
    const polls = new ParkedPolls();
    const wide = poll('w', ['sh'], [], 3);
    const next = poll('n', ['sh']);
    polls.park(wide.p);
    polls.park(next.p);
    const run = { executor: 'sh', tags: [] };
    expect(polls.offer([run, run, run, run])).toBe(2);
    expect(wide.woken).toHaveLength(1);
    expect(next.woken).toHaveLength(1);
  });

  it('wakes a tree-limited poll (it may take the run) and any poll for an offer without requirement', () => {
    const polls = new ParkedPolls();
    const tree = poll('t', ['sh'], [], 1, true);
    polls.park(tree.p);
    expect(polls.offer([{ executor: 'claude-code', tags: [] }])).toBe(1);
    const any = poll('x', ['python']);
    polls.park(any.p);
    expect(polls.offer([null])).toBe(1);
    expect(any.woken).toEqual([null]);
  });

  it('offers a run to a poll that is claiming right now only when no waiting poll can take it', () => {
    const polls = new ParkedPolls();
    const waiting = poll('w', ['sh']);
    const claiming = poll('c', ['sh']);
    claiming.p.claiming = true;
    polls.park(waiting.p);
    polls.park(claiming.p); // more recent, but busy
    const run = { executor: 'sh', tags: [] };
    expect(polls.offer([run])).toBe(1);
    expect([waiting.woken.length, claiming.woken.length]).toEqual([1, 0]);
    expect(polls.offer([run])).toBe(1);
    expect(claiming.woken).toHaveLength(1);
  });

  it('unparking reports whether the poll was still parked (false once woken)', () => {
    const polls = new ParkedPolls();
    const a = poll('a', ['sh']);
    const b = poll('b', ['sh']);
    const unparkA = polls.park(a.p);
    const unparkB = polls.park(b.p);
    polls.offer([{ executor: 'sh', tags: [] }]);
    expect(unparkB()).toBe(false); // the most recent was woken
    expect(unparkA()).toBe(true);
    expect(polls.size).toBe(0);
  });
});
