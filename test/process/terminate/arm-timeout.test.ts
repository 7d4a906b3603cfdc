import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { armTimeout, MAX_TIMER_MS } from '../../../lib/process/terminate/timeout.js';

describe('armTimeout beyond one timer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('a run timeout of 2,147,484 s fires after that time, not at once (32-bit timer overflow)', () => {
    const fired = vi.fn();
    armTimeout(2_147_484_000, fired);
    vi.advanceTimersByTime(300);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(MAX_TIMER_MS);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(2_147_484_000 - MAX_TIMER_MS - 300);
    expect(fired).toHaveBeenCalledOnce();
  });

  it('disarms across steps', () => {
    const fired = vi.fn();
    const disarm = armTimeout(MAX_TIMER_MS * 2, fired);
    vi.advanceTimersByTime(MAX_TIMER_MS + 1);
    disarm();
    vi.advanceTimersByTime(MAX_TIMER_MS * 2);
    expect(fired).not.toHaveBeenCalled();
  });
});
