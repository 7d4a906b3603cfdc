import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { KnownStartTimes, lastPid, lastPidAfter, MAX_GAP_MS, pidsAfter } from '../../lib/process/known-start-times.js';

/** A cache driven by a fake pid cursor and clock. */
function cache(start: { cursor: number | undefined; now: number }) {
  const state = { ...start };
  const times = new KnownStartTimes({ readLastPid: () => state.cursor, now: () => state.now });
  return { times, state };
}

describe('KnownStartTimes', () => {
  it('trusts an earlier scan for pids not handed out since, and never for those that were', () => {
    const { times, state } = cache({ cursor: 100, now: 0 });
    const first = times.begin();
    expect(first.known(50)).toBeUndefined(); // nothing read yet
    first.record(50, 7, 1);
    first.record(105, 8, 1);
    first.end();

    Object.assign(state, { cursor: 110, now: 10 });
    const second = times.begin();
    expect(second.known(50)?.startTime).toBe(7);
    expect(second.known(105)).toBeUndefined(); // 101..110 were handed out: 105 may be another process now
    second.end();
  });

  it('keeps a process\'s parent and the earliest execution it was found foreign to, for as long as it keeps its start time', () => {
    const { times, state } = cache({ cursor: 100, now: 0 });
    const first = times.begin();
    first.record(50, 7, 3);
    first.record(60, 8, 3);
    first.foreign(50, 20);
    first.foreign(50, 30); // a later execution: the earlier verdict covers it
    first.foreign(99, 20); // never recorded: nothing to keep
    first.end();
    Object.assign(state, { cursor: 110, now: 10 });
    const second = times.begin();
    expect(second.known(50)).toEqual({ startTime: 7, ppid: 3, foreignSince: 20, seen: expect.any(Number) });
    expect(second.known(60)?.foreignSince).toBeUndefined();
    expect(second.known(99)).toBeUndefined();
    second.foreign(50, 10);
    expect(second.known(50)?.foreignSince).toBe(10);
    second.record(50, 9, 4); // read again (another process): the verdict was the other one's
    expect(second.known(50)).toEqual({ startTime: 9, ppid: 4, seen: expect.any(Number) });
    second.end();
  });

  it('follows the cursor past pid_max back to the low pids', () => {
    const { times, state } = cache({ cursor: 32_700, now: 0 });
    const first = times.begin();
    for (const pid of [3, 500, 32_710, 32_760]) first.record(pid, 1, 1);
    first.end();
    Object.assign(state, { cursor: 10, now: 5 });
    const second = times.begin();
    expect(second.known(32_710)).toBeUndefined();
    expect(second.known(3)).toBeUndefined();
    expect(second.known(500)?.startTime).toBe(1);
    expect(second.known(32_760)).toBeUndefined();
  });

  it('trusts nothing after a long gap, without a cursor, or for pids the last scan did not see', () => {
    const { times, state } = cache({ cursor: 100, now: 0 });
    let scan = times.begin();
    scan.record(10, 1, 1);
    scan.record(20, 1, 1);
    scan.end();

    Object.assign(state, { now: MAX_GAP_MS + 1 });
    scan = times.begin();
    expect(scan.known(10)).toBeUndefined();
    scan.record(10, 1, 1);
    scan.end();

    Object.assign(state, { now: MAX_GAP_MS + 2 });
    scan = times.begin();
    expect(scan.known(20)).toBeUndefined(); // never recorded since the reset
    scan.end(); // 10 was not looked at: forgotten
    Object.assign(state, { now: MAX_GAP_MS + 3 });
    expect(times.begin().known(10)).toBeUndefined();

    const blind = cache({ cursor: undefined, now: 0 });
    const a = blind.times.begin();
    a.record(10, 1, 1);
    a.end();
    expect(blind.times.begin().known(10)).toBeUndefined();
  });

  it('tells which pids were handed out after a process: (first, cursor], wrapping; nothing when it cannot tell', () => {
    // A process of pid 100 started at 4,900; the cursor is at 120 at 5,000: what it started has pids 101..120.
    const after = pidsAfter(100, 4_900, { cursor: 120, now: 5_000 })!;
    expect([99, 100, 101, 120, 121, 7].map(after)).toEqual([false, false, true, true, false, false]);
    // The cursor went past pid_max: 32,701..pid_max and 1..20 followed 32,700.
    const wrapped = pidsAfter(32_700, 4_900, { cursor: 20, now: 5_000 })!;
    expect([32_700, 32_701, 32_767, 1, 20, 21, 500].map(wrapped)).toEqual([false, true, true, true, true, false, false]);
    // Started too long ago (the pids may have gone round since), or no cursor: no answer.
    expect(pidsAfter(100, 5_000 - MAX_GAP_MS - 1, { cursor: 120, now: 5_000 })).toBeUndefined();
    expect(pidsAfter(100, 4_900, { cursor: undefined, now: 5_000 })).toBeUndefined();
  });

  it('gives the cursor itself as the last pid of the range, under the same conditions', () => {
    expect(lastPidAfter(100, 4_900, { cursor: 120, now: 5_000 })).toBe(120);
    expect(lastPidAfter(100, 5_000 - MAX_GAP_MS - 1, { cursor: 120, now: 5_000 })).toBeUndefined();
    expect(lastPidAfter(100, 4_900, { cursor: undefined, now: 5_000 })).toBeUndefined();
  });

  it.runIf(process.platform === 'linux')('reads the kernel\'s cursor: the last pid handed out', () => {
    const before = Number(readFileSync('/proc/sys/kernel/ns_last_pid', 'latin1'));
    const read = lastPid()!;
    expect(Number.isInteger(read)).toBe(true);
    // A few processes at most started between the two reads, unless the pids went past pid_max meanwhile.
    const pidMax = Number(readFileSync('/proc/sys/kernel/pid_max', 'latin1'));
    const handedOut = (read - before + pidMax) % pidMax;
    expect(handedOut).toBeLessThan(1000);
  });
});
