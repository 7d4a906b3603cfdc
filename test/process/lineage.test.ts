import { describe, expect, it } from 'vitest';
import { ExecutionLineage, MAX_CLIMB, type ParentLink } from '../../lib/process/lineage.js';

/**
 * A process table: this process is 100 (its parent 1, init), the execution's leader 200 started at tick 50.
 * Another runner, 300, started before the execution; its executor and that one's child after.
 */
const table = new Map<number, ParentLink>([
  [1, { ppid: 0, startTime: 0 }],
  [5, { ppid: 1, startTime: 1 }],
  [100, { ppid: 1, startTime: 5 }],
  [200, { ppid: 100, startTime: 50 }],
  [201, { ppid: 200, startTime: 52 }], // the leader's child
  [202, { ppid: 201, startTime: 53 }], // its grandchild
  [203, { ppid: 1, startTime: 53 }], // orphaned, adopted by init
  [300, { ppid: 5, startTime: 10 }], // another runner
  [301, { ppid: 300, startTime: 55 }], // its executor
  [302, { ppid: 301, startTime: 56 }], // that one's child
  [400, { ppid: 999, startTime: 57 }], // its parent is gone
  [500, { ppid: 501, startTime: 58 }], // its parent's pid was reused by a younger process
  [501, { ppid: 300, startTime: 70 }],
]);

function lineage(ancestors = [100, 1]) {
  const reads: number[] = [];
  const foreign: number[] = [];
  const link = (pid: number) => (reads.push(pid), table.get(pid));
  const judge = new ExecutionLineage(50, new Set(ancestors), link, (pid) => foreign.push(pid));
  return { judge, reads, foreign, is: (pid: number) => judge.foreign(pid, table.get(pid)!) };
}

describe('ExecutionLineage', () => {
  it('keeps what descends from the leader and what init adopted; passes over what another runner started', () => {
    const { is, foreign } = lineage();
    expect(is(201)).toBe(false);
    expect(is(202)).toBe(false);
    expect(is(203)).toBe(false); // init is an ancestor of this process: it adopts the execution's orphans too
    expect(is(301)).toBe(true);
    expect(is(302)).toBe(true);
    expect(foreign.sort()).toEqual([301, 302]);
  });

  it('says "can be the execution\'s" whenever it cannot tell: parent gone, pid reused, chain too long', () => {
    const { is } = lineage();
    expect(is(400)).toBe(false);
    expect(is(500)).toBe(false);
    // A chain longer than MAX_CLIMB that does end at another runner.
    const chain = new Map<number, ParentLink>([[300, table.get(300)!]]);
    for (let i = 0; i <= MAX_CLIMB; i++) chain.set(1000 + i, { ppid: i === 0 ? 300 : 1000 + i - 1, startTime: 60 });
    const long = new ExecutionLineage(50, new Set([100, 1]), (pid) => chain.get(pid));
    expect(long.foreign(1000 + MAX_CLIMB, chain.get(1000 + MAX_CLIMB)!)).toBe(false);
    const short = new ExecutionLineage(50, new Set([100, 1]), (pid) => chain.get(pid));
    expect(short.foreign(1005, chain.get(1005)!)).toBe(true); // the same chain, climbed from lower down
  });

  it('takes a process whose parents lead to one of this process\'s ancestors as possibly the execution\'s (a subreaper adopts)', () => {
    const { is, judge } = lineage([100, 5, 1]); // 5 is an ancestor of this process now
    expect(is(301)).toBe(true); // 300 started before the execution and is no ancestor, whatever its own parent
    expect(judge.foreign(600, { ppid: 5, startTime: 60 })).toBe(false); // 5 may have adopted it
  });

  it('reads each parent once per search', () => {
    const { is, reads } = lineage();
    is(301);
    is(302);
    is(201);
    is(202);
    expect(reads.filter((pid) => pid === 300)).toHaveLength(1);
    expect(reads.filter((pid) => pid === 200)).toHaveLength(1);
  });
});
