import { describe, expect, it } from 'vitest';
import type { SystemStatus } from '../../protocol/status.js';
import { localClock } from './format-values.js';
import { describeStatus } from './status-command.js';
import { styleOf } from './style.js';

const NOW = new Date(2026, 11, 2, 12, 0).getTime();

describe('rate limits in the CLI', () => {
  it('localClock: HH:MM local, with the date when not today', () => {
    expect(localClock(new Date(2026, 11, 2, 21, 5).getTime(), NOW)).toBe('21:05');
    expect(localClock(new Date(2026, 11, 3, 9, 0).getTime(), NOW)).toBe('2026-12-03 09:00');
  });

  it('status lists each parked profile with its waiting runs; executor text cannot reach the terminal raw', () => {
    const status: SystemStatus = {
      time: new Date(NOW).toISOString(),
      coordinator: { version: '1', store: 'sqlite', started_at: new Date(NOW).toISOString(), uptime_s: 1 },
      runners: { online: 1, stale: 0, offline: 0, slots_used: 0, slots_total: 1 },
      runs: { queued: 2, claimed: 0, running: 0, lost: 0 },
      queue: { depth: 2, oldest_queued_at: null, age_s: null },
      last_hour: { succeeded: 0, failed: 0, cancelled: 0, timed_out: 0, success_rate: null },
      sessions: { queued: 2, running: 0 },
      rate_limits: [{ profile: 'team-a', model: null, until: new Date(new Date(NOW).setHours(21, 20)).toISOString(), message: 'usage limit reached\u001b[2J', runs_waiting: 2 }],
    };
    const text = describeStatus(status, 'http://127.0.0.1:1', styleOf(false));
    expect(text).toMatch(/^rate limit {3}profile team-a parked until (\d{4}-\d\d-\d\d )?21:20, 2 runs waiting: usage limit reached/m);
    expect(text).not.toContain('\u001b[2J');
  });
});
