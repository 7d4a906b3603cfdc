import { describe, expect, it } from 'vitest';
import { heartbeatNeeded, idlePollTimeoutMs } from './idle-poll.js';

const defaults = { poll_keeps_lease: true, poll_timeout_ms: 30_000, lease_ms: 30_000, heartbeat_interval_ms: 10_000 };

describe('idle polls in place of heartbeats', () => {
  it('bounds the poll so an overdue one is noticed, and a heartbeat sent, inside the lease', () => {
    expect(idlePollTimeoutMs(defaults)).toBe(17_000); // 30 s lease − 10 s interval − 3 s margin
    expect(idlePollTimeoutMs({ ...defaults, lease_ms: 60_000, heartbeat_interval_ms: 3_000 })).toBe(6_000); // 2 intervals
    expect(idlePollTimeoutMs({ ...defaults, poll_timeout_ms: 12_000 })).toBe(12_000);
    // Too short a lease for it: polls would outnumber the heartbeats they replace.
    expect(idlePollTimeoutMs({ ...defaults, lease_ms: 1_500, heartbeat_interval_ms: 300 })).toBeUndefined();
    expect(idlePollTimeoutMs({ ...defaults, poll_timeout_ms: 5_000, heartbeat_interval_ms: 6_000 })).toBeUndefined();
    for (const keeps of [false, undefined]) expect(idlePollTimeoutMs({ ...defaults, poll_keeps_lease: keeps })).toBeUndefined();
  });

  it('leaves out the heartbeat only for an idle runner whose poll is out and not overdue', () => {
    expect(heartbeatNeeded(defaults, false, 1_000, 1_000 + 16_999)).toBe(false);
    expect(heartbeatNeeded(defaults, false, 1_000, 1_000 + 17_000)).toBe(true); // overdue
    expect(heartbeatNeeded(defaults, true, 1_000, 1_001)).toBe(true); // holds a run
    expect(heartbeatNeeded(defaults, false, undefined, 1_001)).toBe(true); // no poll out (backing off)
    expect(heartbeatNeeded({ ...defaults, poll_keeps_lease: false }, false, 1_000, 1_001)).toBe(true); // an older coordinator
  });
});
