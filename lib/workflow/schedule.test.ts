import { describe, expect, it } from 'vitest';
import { latestSlot, nextSlot, parseSchedule, slotToFire, type Schedule } from './schedule.js';

const t = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function schedule(cron: string, timezone?: string | null): Schedule {
  const parsed = parseSchedule({ cron, timezone });
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.schedule;
}

describe('parseSchedule', () => {
  it.each([
    ['0 9 * * 1-5', null],
    ['*/10 * * * * *', null],
    ['0 0 9 * * MON-FRI', 'Europe/Berlin'],
    ['  30 2 * * thu  ', 'America/New_York'],
    ['0 0 L * *', 'UTC'],
    ['@daily', null],
  ])('accepts %j (zone %j)', (cron, timezone) => {
    const parsed = parseSchedule({ cron, timezone });
    expect(parsed).toEqual({ ok: true, schedule: { cron: cron.trim(), timezone: timezone ?? 'UTC' } });
  });

  it.each([
    ['', null, 'cron must not be empty'],
    ['   ', null, 'cron must not be empty'],
    ['* * * *', null, 'has 4 fields; expected 5'],
    ['* * * * * * *', null, 'has 7 fields'],
    ['61 * * * *', null, 'expected range 0-59'],
    ['0 0 31 2 *', null, 'Invalid explicit day of month'],
    ['a b c d e', null, 'Invalid characters'],
    ['H * * * *', null, 'hashed values (H) are not supported'],
    ['0 9 * * 1-5; rm -rf /', null, 'has 8 fields'],
    ['0 9\n* * 1-5', null, 'has characters cron does not use'],
    ['$(id) * * * *', null, 'has characters cron does not use'],
    ['0 9 * * \u001b[2J', null, 'has characters cron does not use'],
    ['@reboot', null, 'unknown alias'],
    ['*/1 '.repeat(60), null, 'longer than 200 characters'],
    ['0 9 * * *', 'Mars/Olympus', 'timezone "Mars/Olympus" is not an IANA time zone'],
    ['0 9 * * *', '../../etc/passwd', 'is not an IANA time zone'],
    ['0 9 * * *', '', 'is not an IANA time zone'],
  ])('rejects %j (zone %j): %s', (cron, timezone, message) => {
    const parsed = parseSchedule({ cron, timezone });
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toContain(message);
  });

  it('rejects a cron that is not a string (a YAML number)', () => {
    expect(parseSchedule({ cron: 5 as unknown as string })).toEqual({ ok: false, error: 'cron must be a string' });
  });
});

describe('latestSlot and nextSlot', () => {
  const weekdays = schedule('0 9 * * 1-5');

  it('finds the slot at or before now, and the one strictly after', () => {
    // 2026-12-02 is a Wednesday.
    expect(iso(latestSlot(weekdays, t('2026-12-02T10:00:00Z')))).toBe('2026-12-02T09:00:00.000Z');
    expect(iso(latestSlot(weekdays, t('2026-12-02T09:00:00Z')))).toBe('2026-12-02T09:00:00.000Z');
    expect(iso(latestSlot(weekdays, t('2026-12-02T08:59:59.999Z')))).toBe('2026-12-01T09:00:00.000Z');
    expect(iso(nextSlot(weekdays, t('2026-12-02T09:00:00Z')))).toBe('2026-12-03T09:00:00.000Z');
    // Monday morning: the latest is Friday's.
    expect(iso(latestSlot(weekdays, t('2026-12-07T08:00:00Z')))).toBe('2026-12-04T09:00:00.000Z');
  });

  it('handles 6 fields (seconds) to the millisecond', () => {
    const tens = schedule('*/10 * * * * *');
    expect(iso(latestSlot(tens, t('2026-12-02T14:00:10.000Z')))).toBe('2026-12-02T14:00:10.000Z');
    expect(iso(latestSlot(tens, t('2026-12-02T14:00:09.999Z')))).toBe('2026-12-02T14:00:00.000Z');
    expect(iso(nextSlot(tens, t('2026-12-02T14:00:09.999Z')))).toBe('2026-12-02T14:00:10.000Z');
  });

  it('reads the wall clock of the time zone', () => {
    const ny = schedule('0 9 * * 1-5', 'America/New_York');
    expect(iso(latestSlot(ny, t('2026-12-02T15:00:00Z')))).toBe('2026-12-02T14:00:00.000Z'); // EST
    expect(iso(latestSlot(ny, t('2026-07-01T15:00:00Z')))).toBe('2026-07-01T13:00:00.000Z'); // EDT
  });

  it('spring forward: a wall time the clocks skip has no slot that day; latest and next agree', () => {
    const berlin = schedule('30 2 * * *', 'Europe/Berlin');
    // 2026-03-29 02:00 CET jumps to 03:00 CEST: 02:30 does not exist.
    for (const from of ['2026-03-29T00:00:00Z', '2026-03-29T00:59:00Z', '2026-03-29T01:00:00Z', '2026-03-29T01:29:00Z']) {
      expect(iso(nextSlot(berlin, t(from)))).toBe('2026-03-30T00:30:00.000Z');
      expect(iso(latestSlot(berlin, t(from)))).toBe('2026-03-28T01:30:00.000Z');
    }
    expect(iso(latestSlot(berlin, t('2026-03-29T23:00:00Z')))).toBe('2026-03-28T01:30:00.000Z');
  });

  it('fall back: a wall time that happens twice has one slot, the first; latest and next agree', () => {
    const berlin = schedule('30 2 * * *', 'Europe/Berlin');
    // 2026-10-25 03:00 CEST goes back to 02:00 CET: 02:30 is 00:30Z and again 01:30Z.
    expect(iso(nextSlot(berlin, t('2026-10-25T00:00:00Z')))).toBe('2026-10-25T00:30:00.000Z');
    expect(iso(nextSlot(berlin, t('2026-10-25T00:30:00Z')))).toBe('2026-10-26T01:30:00.000Z');
    expect(iso(nextSlot(berlin, t('2026-10-25T01:29:00Z')))).toBe('2026-10-26T01:30:00.000Z');
    expect(iso(latestSlot(berlin, t('2026-10-25T02:00:00Z')))).toBe('2026-10-25T00:30:00.000Z');
    expect(iso(latestSlot(berlin, t('2026-10-25T01:30:00Z')))).toBe('2026-10-25T00:30:00.000Z');
  });

  it('a stepped schedule skips the hour that does not exist and the hour that repeats', () => {
    const half = schedule('*/30 * * * *', 'Europe/Berlin');
    expect(iso(latestSlot(half, t('2026-03-29T01:10:00Z')))).toBe('2026-03-29T01:00:00.000Z'); // 03:00 CEST
    expect(iso(nextSlot(half, t('2026-03-29T00:30:00Z')))).toBe('2026-03-29T01:00:00.000Z');
    // 02:00 and 02:30 CET (01:00Z, 01:30Z) repeat 02:00 and 02:30 CEST (00:00Z, 00:30Z).
    expect(iso(latestSlot(half, t('2026-10-25T01:40:00Z')))).toBe('2026-10-25T00:30:00.000Z');
    expect(iso(nextSlot(half, t('2026-10-25T00:30:00Z')))).toBe('2026-10-25T02:00:00.000Z');
  });

  it('per-second and per-minute schedules skip the whole repeated hour in one step', () => {
    const seconds = schedule('* * * * * *', 'Europe/Berlin');
    const minutes = schedule('* * * * *', 'Europe/Berlin');
    // 01:00Z–02:00Z on 2026-10-25 repeats 00:00Z–01:00Z (02:00–03:00 local).
    expect(iso(latestSlot(seconds, t('2026-10-25T01:30:00Z')))).toBe('2026-10-25T00:59:59.000Z');
    expect(iso(nextSlot(seconds, t('2026-10-25T00:59:59Z')))).toBe('2026-10-25T02:00:00.000Z');
    expect(iso(nextSlot(seconds, t('2026-10-25T01:30:00Z')))).toBe('2026-10-25T02:00:00.000Z');
    expect(iso(latestSlot(minutes, t('2026-10-25T01:59:00Z')))).toBe('2026-10-25T00:59:00.000Z');
    expect(iso(nextSlot(minutes, t('2026-10-25T00:59:30Z')))).toBe('2026-10-25T02:00:00.000Z');
    // Lord Howe Island goes back 30 minutes (2026-04-05 02:00 +11 → 01:30 +10:30, i.e. 15:00Z).
    const lordHowe = schedule('* * * * *', 'Australia/Lord_Howe');
    expect(iso(latestSlot(lordHowe, t('2026-04-04T15:10:00Z')))).toBe('2026-04-04T14:59:00.000Z');
    expect(iso(nextSlot(lordHowe, t('2026-04-04T14:59:00Z')))).toBe('2026-04-04T15:30:00.000Z');
  });

  it('finds rare slots far back and ahead (29 February)', () => {
    const leap = schedule('0 0 29 2 *');
    expect(iso(latestSlot(leap, t('2026-12-02T00:00:00Z')))).toBe('2024-02-29T00:00:00.000Z');
    expect(iso(nextSlot(leap, t('2026-12-02T00:00:00Z')))).toBe('2028-02-29T00:00:00.000Z');
  });
});

describe('slotToFire (the missed-slot policy)', () => {
  const hourly = schedule('0 * * * *');
  const since = t('2026-12-02T08:30:00Z');

  it('fires nothing before the first slot after since', () => {
    expect(slotToFire([hourly], { since, lastFired: null, now: t('2026-12-02T08:59:59Z') })).toBeNull();
  });

  it('never fires a slot at or before since', () => {
    expect(slotToFire([hourly], { since: t('2026-12-02T09:00:00Z'), lastFired: null, now: t('2026-12-02T09:30:00Z') })).toBeNull();
  });

  it('fires a due slot once: not again once it is the last fired', () => {
    const now = t('2026-12-02T09:00:05Z');
    expect(iso(slotToFire([hourly], { since, lastFired: null, now }))).toBe('2026-12-02T09:00:00.000Z');
    expect(slotToFire([hourly], { since, lastFired: t('2026-12-02T09:00:00Z'), now })).toBeNull();
  });

  it('after downtime, fires only the most recent missed slot', () => {
    const now = t('2026-12-02T13:20:00Z');
    expect(iso(slotToFire([hourly], { since, lastFired: t('2026-12-02T09:00:00Z'), now }))).toBe('2026-12-02T13:00:00.000Z');
  });

  it('takes the latest slot over several schedules', () => {
    const both = [schedule('0 9 * * *'), schedule('15 9 * * *')];
    expect(iso(slotToFire(both, { since, lastFired: null, now: t('2026-12-02T09:20:00Z') }))).toBe('2026-12-02T09:15:00.000Z');
    expect(slotToFire(both, { since, lastFired: t('2026-12-02T09:15:00Z'), now: t('2026-12-02T09:20:00Z') })).toBeNull();
  });

  it('fires nothing without schedules', () => {
    expect(slotToFire([], { since, lastFired: null, now: t('2026-12-02T09:20:00Z') })).toBeNull();
  });
});
