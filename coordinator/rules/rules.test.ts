import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './cursor.js';
import { decideFinish } from './finish-decision.js';
import { describeRequirement, runnerCanServe } from './matching.js';
import { assertTransition, canTransition, IllegalTransitionError } from './run-transitions.js';
import { runnerHealth } from './runner-health.js';
import { sessionStatusFor } from './session-status.js';

describe('run transitions', () => {
  it('allows the documented path and rejects skips and exits from terminal states', () => {
    expect(canTransition('queued', 'claimed')).toBe(true);
    expect(canTransition('claimed', 'running')).toBe(true);
    expect(canTransition('running', 'succeeded')).toBe(true);
    expect(canTransition('running', 'lost')).toBe(true);
    expect(canTransition('lost', 'queued')).toBe(true);
    expect(canTransition('queued', 'running')).toBe(false);
    expect(canTransition('succeeded', 'queued')).toBe(false);
    expect(() => assertTransition('run_1', 'failed', 'running')).toThrow(new IllegalTransitionError('run_1', 'failed', 'running'));
    expect(() => assertTransition('run_1', 'failed', 'running')).toThrow('run run_1 cannot go from failed to running');
  });

  it('derives session status from the latest run', () => {
    expect(sessionStatusFor('claimed')).toBe('queued');
    expect(sessionStatusFor('running')).toBe('running');
    expect(sessionStatusFor('succeeded')).toBe('idle');
    expect(sessionStatusFor('timed_out')).toBe('failed');
    expect(sessionStatusFor('cancelled')).toBe('cancelled');
  });
});

describe('matching', () => {
  it('needs the executor asked for and every tag', () => {
    expect(runnerCanServe({ executor: null, tags: [] }, { executors: [], tags: [] })).toBe(true);
    expect(runnerCanServe({ executor: 'x', tags: [] }, { executors: ['y'], tags: [] })).toBe(false);
    expect(runnerCanServe({ executor: 'x', tags: ['gpu'] }, { executors: ['x'], tags: ['gpu', 'linux'] })).toBe(true);
    expect(runnerCanServe({ executor: 'x', tags: ['gpu', 'big'] }, { executors: ['x'], tags: ['gpu'] })).toBe(false);
    expect(describeRequirement({ executor: 'x', tags: ['a', 'b'] })).toBe('executor "x" with tags [a, b]');
    expect(describeRequirement({ executor: null, tags: [] })).toBe('any executor');
  });
});

describe('backoff and retries', () => {
  it('retries only infrastructure failures, while attempts remain', () => {
    const b = { baseMs: 100, maxMs: 1000 };
    // At the top of the jitter range (random = 1) the delay is the exponential's ceiling.
    expect(decideFinish('lost', { attempt: 1, max_attempts: 3 }, 0, b, () => 1)).toEqual({ status: 'queued', retry: { availableAt: 100, attempt: 2 } });
    expect(decideFinish('infra_failed', { attempt: 2, max_attempts: 3 }, 0, b, () => 1)).toEqual({ status: 'queued', retry: { availableAt: 200, attempt: 3 } });
    expect(decideFinish('infra_failed', { attempt: 2, max_attempts: 3 }, 0, b, () => 0.5).retry?.availableAt).toBe(100);
    expect(decideFinish('infra_failed', { attempt: 3, max_attempts: 3 }, 0, b)).toEqual({ status: 'failed', retry: null });
    expect(decideFinish('lost', { attempt: 3, max_attempts: 3 }, 0, b).status).toBe('failed');
    expect(decideFinish('rejected', { attempt: 1, max_attempts: 3 }, 0, b).status).toBe('failed');
    expect(decideFinish('timed_out', { attempt: 1, max_attempts: 3 }, 0, b).status).toBe('timed_out');
  });

  it('never retries a run that was asked to stop: its lost or failed attempt ends it cancelled', () => {
    const b = { baseMs: 100, maxMs: 1000 };
    const stopped = { attempt: 1, max_attempts: 3, stop_requested: true };
    expect(decideFinish('lost', stopped, 0, b)).toEqual({ status: 'cancelled', retry: null });
    expect(decideFinish('infra_failed', stopped, 0, b)).toEqual({ status: 'cancelled', retry: null });
    expect(decideFinish('succeeded', stopped, 0, b).status).toBe('succeeded');
    expect(canTransition('lost', 'cancelled')).toBe(true);
  });
});

describe('cursors', () => {
  it('round-trips and rejects foreign text', () => {
    expect(decodeCursor(encodeCursor(42))).toBe(42);
    expect(decodeCursor('bm9wZQ')).toBeNull();
    expect(decodeCursor('***')).toBeNull();
    expect(decodeCursor(Buffer.from('v1:-3').toString('base64url'))).toBeNull();
  });
});

describe('runner health', () => {
  it('is online within the lease, stale after, offline when long silent or deregistered', () => {
    const r = (last: number, dereg: number | null = null) => ({ last_seen_at: last, deregistered_at: dereg });
    expect(runnerHealth(r(900), 1000, 200, 10)).toBe('online');
    expect(runnerHealth(r(700), 1000, 200, 10)).toBe('stale');
    expect(runnerHealth(r(0), 5000, 200, 10)).toBe('offline');
    expect(runnerHealth(r(999, 999), 1000, 200, 10)).toBe('offline');
  });
});
