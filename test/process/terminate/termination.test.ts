import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Termination, type TerminationOptions } from '../../../lib/process/terminate/termination.js';
import { RecordingGroup } from './recording-group.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function terminationOf(options: Partial<TerminationOptions> = {}) {
  const group = new RecordingGroup();
  const termination = new Termination({ group, graceMs: 1_000, ...options });
  return { group, termination };
}

describe('Termination', () => {
  it('on the run timeout: SIGTERM to the group, SIGKILL after the grace, reason timeout', () => {
    const { group, termination } = terminationOf({ timeoutMs: 5_000 });
    vi.advanceTimersByTime(4_999);
    expect(group.signals).toEqual([]);
    expect(termination.reason).toBeNull();
    vi.advanceTimersByTime(1);
    expect(group.signals).toEqual(['SIGTERM']);
    expect(termination.reason).toBe('timeout');
    vi.advanceTimersByTime(1_000);
    expect(group.signals).toEqual(['SIGTERM', 'SIGKILL']);
    expect(termination.forcefullyKilled).toBe(true);
  });

  it('on abort: SIGTERM to the group, reason cancel; a later timeout changes nothing', () => {
    const controller = new AbortController();
    const { group, termination } = terminationOf({ timeoutMs: 5_000, signal: controller.signal });
    controller.abort();
    expect(group.signals).toEqual(['SIGTERM']);
    expect(termination.reason).toBe('cancel');
    vi.advanceTimersByTime(5_000);
    expect(termination.reason).toBe('cancel');
    expect(group.signals).toEqual(['SIGTERM', 'SIGKILL']);
  });

  it('is not forceful when the executor obeys SIGTERM within the grace', () => {
    const { group, termination } = terminationOf({ timeoutMs: 100 });
    group.endsOnSigterm = true;
    vi.advanceTimersByTime(100);
    termination.executorExited();
    termination.outputClosed();
    expect(group.signals).toEqual(['SIGTERM']);
    expect(termination.forcefullyKilled).toBe(false);
    expect(termination.leftProcessesBehind).toBe(false);
    expect(group.forgotten).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('once the executor exited, neither the timeout nor an abort applies, and the signal keeps no listener', () => {
    const controller = new AbortController();
    const removeListener = vi.spyOn(controller.signal, 'removeEventListener');
    const { group, termination } = terminationOf({ timeoutMs: 100, signal: controller.signal });
    group.running = false;
    termination.executorExited();
    expect(removeListener).toHaveBeenCalledWith('abort', expect.any(Function));
    controller.abort();
    vi.advanceTimersByTime(100);
    expect(group.signals).toEqual([]);
    expect(termination.reason).toBeNull();
  });

  it('after a normal exit, terminates what the executor left running and says so', () => {
    const { group, termination } = terminationOf();
    termination.executorExited();
    expect(termination.leftProcessesBehind).toBe(true);
    expect(termination.reason).toBeNull();
    expect(group.signals).toEqual(['SIGTERM']);
    termination.outputClosed();
    vi.advanceTimersByTime(1_000);
    expect(group.signals).toEqual(['SIGTERM', 'SIGKILL']);
    expect(termination.forcefullyKilled).toBe(true);
  });

  it('after a normal exit with nothing left running (zombies aside), sends nothing', () => {
    const { group, termination } = terminationOf();
    group.running = false;
    termination.executorExited();
    expect(termination.leftProcessesBehind).toBe(false);
    expect(group.signals).toEqual([]);
  });

  it('does not sweep after its own termination: the group is already on its way out', () => {
    const controller = new AbortController();
    const { group, termination } = terminationOf({ signal: controller.signal });
    controller.abort();
    termination.executorExited();
    expect(termination.leftProcessesBehind).toBe(false);
    expect(group.signals).toEqual(['SIGTERM']);
  });

  it('with no group (the executor never started), ignores the timeout and the abort', () => {
    const controller = new AbortController();
    const termination = new Termination({ group: undefined, graceMs: 1_000, timeoutMs: 10, signal: controller.signal });
    controller.abort();
    vi.advanceTimersByTime(10);
    termination.outputClosed();
    expect(termination.reason).toBeNull();
    expect(termination.forcefullyKilled).toBe(false);
    expect(termination.leftProcessesBehind).toBe(false);
  });

  it('when the output closes without an exit (a spawn error), stops watching', () => {
    const { group, termination } = terminationOf({ timeoutMs: 100 });
    group.alive = group.running = false;
    termination.outputClosed();
    expect(vi.getTimerCount()).toBe(0);
    expect(group.forgotten).toBe(true);
  });
});
