import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_GRACE_MS, GracefulKill } from '../../../lib/process/terminate/graceful-kill.js';
import { RecordingGroup } from './recording-group.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('GracefulKill', () => {
  it('sends SIGTERM at once and SIGKILL when the grace is over, then forgets the group', () => {
    const group = new RecordingGroup();
    const kill = new GracefulKill(group, 300);
    kill.start();
    expect(group.signals).toEqual(['SIGTERM']);
    vi.advanceTimersByTime(299);
    expect(group.signals).toEqual(['SIGTERM']);
    expect(kill.forcefullyKilled).toBe(false);
    vi.advanceTimersByTime(1);
    expect(group.signals).toEqual(['SIGTERM', 'SIGKILL']);
    expect(kill.forcefullyKilled).toBe(true);
    expect(group.forgotten).toBe(true);
  });

  it('waits DEFAULT_GRACE_MS when no grace is given', () => {
    const group = new RecordingGroup();
    new GracefulKill(group).start();
    vi.advanceTimersByTime(DEFAULT_GRACE_MS - 1);
    expect(group.signals).toEqual(['SIGTERM']);
    vi.advanceTimersByTime(1);
    expect(group.signals).toEqual(['SIGTERM', 'SIGKILL']);
  });

  it('is not forceful when the group was already gone at the end of the grace', () => {
    const group = new RecordingGroup();
    group.endsOnSigterm = true;
    const kill = new GracefulKill(group, 300);
    kill.start();
    vi.advanceTimersByTime(300);
    expect(group.signals).toEqual(['SIGTERM']);
    expect(kill.forcefullyKilled).toBe(false);
    expect(group.forgotten).toBe(true);
  });

  it('acts on the first start only', () => {
    const group = new RecordingGroup();
    const kill = new GracefulKill(group, 300);
    kill.start();
    vi.advanceTimersByTime(200);
    kill.start();
    vi.advanceTimersByTime(100);
    expect(group.signals).toEqual(['SIGTERM', 'SIGKILL']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('on release, lets go of an empty group at once: no SIGKILL, no timer left', () => {
    const group = new RecordingGroup();
    group.endsOnSigterm = true;
    const kill = new GracefulKill(group, 300);
    kill.start();
    kill.release();
    expect(group.forgotten).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    expect(kill.forcefullyKilled).toBe(false);
  });

  it('on release, still SIGKILLs a group with processes left, from a timer that does not hold the process', () => {
    const group = new RecordingGroup();
    const kill = new GracefulKill(group, 300);
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    kill.start();
    const killTimer = setTimeoutSpy.mock.results[0]?.value as NodeJS.Timeout;
    setTimeoutSpy.mockRestore();
    expect(killTimer.hasRef()).toBe(true);
    kill.release();
    expect(killTimer.hasRef()).toBe(false);
    expect(group.forgotten).toBe(false);
    vi.advanceTimersByTime(300);
    expect(group.signals).toEqual(['SIGTERM', 'SIGKILL']);
    expect(kill.forcefullyKilled).toBe(true);
    expect(group.forgotten).toBe(true);
  });

  it('on release without a start, forgets an empty group and leaves a live one tracked', () => {
    const empty = new RecordingGroup();
    empty.alive = empty.running = false;
    new GracefulKill(empty, 300).release();
    expect(empty.forgotten).toBe(true);

    const live = new RecordingGroup();
    new GracefulKill(live, 300).release();
    expect(live.forgotten).toBe(false);
    expect(live.signals).toEqual([]);
  });
});
