import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { listenForCancel } from '../../../lib/process/terminate/cancel.js';
import { GracefulKill } from '../../../lib/process/terminate/graceful-kill.js';
import { sweepLeftovers } from '../../../lib/process/terminate/sweep-leftovers.js';
import { armTimeout } from '../../../lib/process/terminate/timeout.js';
import { RecordingGroup } from './recording-group.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('armTimeout', () => {
  it('fires once after the delay, and not at all once disarmed or without a delay', () => {
    const fired = vi.fn();
    armTimeout(50, fired);
    const disarm = armTimeout(50, fired);
    armTimeout(undefined, fired);
    disarm();
    vi.advanceTimersByTime(49);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1_000);
    expect(fired).toHaveBeenCalledTimes(1);
  });
});

describe('listenForCancel', () => {
  it('calls back on abort, not after it stopped listening, and accepts no signal', () => {
    const cancelled = vi.fn();
    const heard = new AbortController();
    const ignored = new AbortController();
    listenForCancel(heard.signal, cancelled);
    listenForCancel(ignored.signal, cancelled)();
    listenForCancel(undefined, cancelled)();
    ignored.abort();
    expect(cancelled).not.toHaveBeenCalled();
    heard.abort();
    expect(cancelled).toHaveBeenCalledTimes(1);
  });
});

describe('sweepLeftovers', () => {
  it('starts the graceful kill only when a process of the group still runs', () => {
    const empty = new RecordingGroup();
    empty.running = false;
    expect(sweepLeftovers(empty, new GracefulKill(empty, 100))).toBe(false);
    expect(empty.signals).toEqual([]);

    const leftover = new RecordingGroup();
    expect(sweepLeftovers(leftover, new GracefulKill(leftover, 100))).toBe(true);
    vi.advanceTimersByTime(100);
    expect(leftover.signals).toEqual(['SIGTERM', 'SIGKILL']);
  });
});
