import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { REPORT_DEADLINE_MS, RunnerShutdown, type ShutdownSteps, type Undelivered } from '../../lib/runner/runner-shutdown.js';

const DRAIN_MS = 1_000;
const GRACE_MS = 500;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/**
 * A runner that exists only as the steps of its shutdown: it records what it was told, in order, and
 * its runs settle when the test says (or when the shutdown gives up on the coordinator, as the real
 * runner's runs do).
 */
function standInRunner(options: { undelivered?: Undelivered } = {}) {
  const calls: string[] = [];
  let settleRuns!: () => void;
  const runsSettled = new Promise<void>((resolve) => (settleRuns = resolve));
  const steps: ShutdownSteps = {
    stopClaiming: async () => {
      calls.push(`stopClaiming (stopping: ${shutdown.stopping.aborted})`);
    },
    runsSettled: () => {
      calls.push('runsSettled');
      return runsSettled;
    },
    cancelRuns: (why) => calls.push(`cancelRuns: ${why}`),
    undelivered: () => options.undelivered,
    leave: async () => {
      calls.push('leave');
    },
  };
  const logger = { error: vi.fn() };
  const shutdown = new RunnerShutdown(steps, { drainTimeoutMs: DRAIN_MS, graceMs: GRACE_MS, logger });
  shutdown.gaveUp.addEventListener('abort', () => settleRuns());
  return { calls, settleRuns, shutdown, logger };
}

/** Settle the promise callbacks queued so far (fake timers leave microtasks alone). */
const flush = () => vi.advanceTimersByTimeAsync(0);

describe('RunnerShutdown', () => {
  it('stops claiming first, then waits for the runs, then leaves; no timer outlives it', async () => {
    const { calls, settleRuns, shutdown } = standInRunner();
    expect(shutdown.stopping.aborted).toBe(false);
    const done = shutdown.request();
    await flush();
    expect(shutdown.stopping.aborted).toBe(true);
    expect(calls).toEqual(['stopClaiming (stopping: true)', 'runsSettled']);

    settleRuns();
    await done;
    expect(calls).toEqual(['stopClaiming (stopping: true)', 'runsSettled', 'leave']);
    expect(vi.getTimerCount()).toBe(0);
    expect(shutdown.gaveUp.aborted).toBe(false);
    expect(shutdown.undelivered).toBeUndefined();
  });

  it('cancels the runs still executing at the drain timeout, naming it', async () => {
    const { calls, settleRuns, shutdown } = standInRunner();
    const done = shutdown.request();
    await vi.advanceTimersByTimeAsync(DRAIN_MS - 1);
    expect(calls).not.toContain(`cancelRuns: drain timeout (${DRAIN_MS} ms)`);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.at(-1)).toBe(`cancelRuns: drain timeout (${DRAIN_MS} ms)`);

    settleRuns();
    await done;
    expect(calls.at(-1)).toBe('leave');
    expect(shutdown.gaveUp.aborted).toBe(false);
  });

  it('gives up on an unreachable coordinator the grace plus REPORT_DEADLINE_MS after the drain, noting what is left', async () => {
    const left = { runs: ['run_1'], events: 7 };
    const { calls, shutdown, logger } = standInRunner({ undelivered: left });
    const done = shutdown.request();
    await vi.advanceTimersByTimeAsync(DRAIN_MS + GRACE_MS + REPORT_DEADLINE_MS - 1);
    expect(shutdown.gaveUp.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(shutdown.gaveUp.aborted).toBe(true);
    await done;
    expect(shutdown.undelivered).toEqual(left);
    expect(logger.error).toHaveBeenCalledWith(left, expect.stringContaining('the coordinator does not answer'));
    expect(calls.at(-1)).toBe('leave');
  });

  it('gives up without a note when no run is left undelivered', async () => {
    const { shutdown, logger } = standInRunner();
    const done = shutdown.request();
    await vi.advanceTimersByTimeAsync(DRAIN_MS + GRACE_MS + REPORT_DEADLINE_MS);
    await done;
    expect(shutdown.gaveUp.aborted).toBe(true);
    expect(shutdown.undelivered).toBeUndefined();
    expect(logger.error).not.toHaveBeenCalled();
  });

  it('a second request cancels at once and returns; the report deadline then counts from that cancel', async () => {
    const left = { runs: ['run_1'], events: 0 };
    const { calls, shutdown } = standInRunner({ undelivered: left });
    const first = shutdown.request();
    await flush();
    await shutdown.request();
    expect(calls.at(-1)).toBe('cancelRuns: second shutdown signal');

    await vi.advanceTimersByTimeAsync(GRACE_MS + REPORT_DEADLINE_MS - 1);
    expect(shutdown.gaveUp.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(shutdown.gaveUp.aborted).toBe(true);
    await first;
    expect(shutdown.undelivered).toEqual(left);
    expect(calls.filter((call) => call.startsWith('cancelRuns'))[0]).toBe('cancelRuns: second shutdown signal');
    expect(calls.at(-1)).toBe('leave');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a second request whose runs then report in time leaves no deadline behind', async () => {
    const { calls, settleRuns, shutdown } = standInRunner();
    const first = shutdown.request();
    await flush();
    await shutdown.request();
    await shutdown.request();
    settleRuns();
    await first;
    expect(calls.filter((call) => call === 'cancelRuns: second shutdown signal')).toHaveLength(2);
    expect(vi.getTimerCount()).toBe(0);
    expect(shutdown.gaveUp.aborted).toBe(false);
  });
});
