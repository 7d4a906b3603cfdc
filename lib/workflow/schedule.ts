/**
 * Schedules of workflows (`on: {schedule: "0 9 * * 1-5"}`): parsing cron expressions and the slot math the
 * coordinator's scheduler fires by. Pure: every function takes the time it reasons about.
 *
 * **Slots.** A slot is an instant whose wall-clock time in the schedule's time zone matches the cron
 * fields. Across daylight-saving changes that means: a wall time the clocks skip (02:30 in Europe/Berlin on
 * the last Sunday of March) has no slot that day; a wall time that happens twice (02:30 on the last Sunday
 * of October) has one slot, the first. (cron-parser's own `next()` and `prev()` disagree there, and its
 * `next()` answers differently depending on where it starts, so both are filtered through this rule.)
 *
 * **Missed slots.** `slotToFire` fires at most ONE slot: the most recent one at or before now, and only if
 * it is later than both `since` (when the workflow was loaded: slots from before never fire) and the last
 * slot already fired. Slots missed while no coordinator ran are not replayed one by one: the latest of them
 * fires once, as systemd's `Persistent=true` timers and a Kubernetes CronJob catching up do. The store's
 * `workflow_schedule_slots` primary key (name, slot) makes "once" hold across replicas and restarts.
 */
import { CronExpressionParser, type CronExpression } from 'cron-parser';

/** A schedule as written in a workflow (lib/workflow/model.ts `WorkflowDef.schedules`). */
export interface ScheduleSpec {
  cron: string;
  /** An IANA time zone (`Europe/Berlin`); null or absent: UTC. */
  timezone?: string | null;
}

/** A schedule checked and ready for slot math (from parseSchedule). */
export interface Schedule {
  cron: string;
  timezone: string;
}

export type ParsedSchedule = { ok: true; schedule: Schedule } | { ok: false; error: string };

/** Longest cron expression accepted. */
export const MAX_CRON_CHARS = 200;
/** Aliases accepted besides 5 or 6 fields. */
const ALIASES = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@hourly'] as const;
/** The characters cron fields are made of: digits, names (jan, mon), `* , - / ? L W #`. */
const FIELD = /^[0-9A-Za-z*,\-/?#]+$/;

/** Whether `zone` is an IANA time zone this runtime knows. */
function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Check a schedule: 5 fields (minute hour day-of-month month day-of-week), 6 (seconds first), or an alias
 * (`@daily`); the time zone an IANA name (default UTC); and at least one slot in the years ahead.
 * @returns the schedule, or an error message naming what is wrong.
 */
export function parseSchedule(spec: ScheduleSpec): ParsedSchedule {
  const { cron } = spec;
  const timezone = spec.timezone ?? 'UTC';
  if (typeof cron !== 'string') return { ok: false, error: 'cron must be a string' };
  if (cron.length > MAX_CRON_CHARS) return { ok: false, error: `cron is longer than ${MAX_CRON_CHARS} characters` };
  if (typeof timezone !== 'string' || timezone === '' || !isTimeZone(timezone)) {
    return { ok: false, error: `timezone ${JSON.stringify(timezone)} is not an IANA time zone (e.g. "Europe/Berlin"; default UTC)` };
  }
  if (/[^\x20-\x7e\t]/.test(cron)) return { ok: false, error: `cron ${JSON.stringify(cron)} has characters cron does not use (only printable ASCII)` };
  const fields = cron.trim().split(/[ \t]+/);
  if (cron.trim() === '') return { ok: false, error: 'cron must not be empty (five fields: minute hour day-of-month month day-of-week)' };
  if (fields.length === 1 && fields[0]!.startsWith('@')) {
    if (!(ALIASES as readonly string[]).includes(fields[0]!.toLowerCase())) {
      return { ok: false, error: `cron ${JSON.stringify(cron)}: unknown alias; use one of ${ALIASES.join(', ')} or five fields` };
    }
  } else {
    if (fields.length !== 5 && fields.length !== 6) {
      return { ok: false, error: `cron ${JSON.stringify(cron)} has ${fields.length} field${fields.length === 1 ? '' : 's'}; expected 5 (minute hour day-of-month month day-of-week) or 6 (seconds first)` };
    }
    const bad = fields.find((field) => !FIELD.test(field));
    if (bad !== undefined) return { ok: false, error: `cron ${JSON.stringify(cron)}: field ${JSON.stringify(bad)} has characters cron does not use` };
    // cron-parser's `H` picks a random value per parse: replicas would disagree on the slots.
    if (fields.some((field) => /h/i.test(field.replace(/thu/gi, '')))) {
      return { ok: false, error: `cron ${JSON.stringify(cron)}: hashed values (H) are not supported; write the minute or hour` };
    }
  }
  const schedule: Schedule = { cron: cron.trim(), timezone };
  try {
    // Parsing alone accepts some dates that never come (31 April); a first slot proves there is one.
    expression(schedule, Date.UTC(2000, 0, 1)).next();
  } catch (error) {
    return { ok: false, error: `cron ${JSON.stringify(cron)}: ${(error as Error).message}` };
  }
  return { ok: true, schedule };
}

function expression(schedule: Schedule, from: number): CronExpression {
  return CronExpressionParser.parse(schedule.cron, { tz: schedule.timezone, currentDate: new Date(from) });
}

/** Most candidates cron-parser offers that are skipped as not slots before giving up (DST edges give one or two). */
const MAX_SKIPPED = 16;
/** How far back the same wall time can come again when clocks go back: 30 min (Lord Howe), 1 h, 2 h. */
const REPEAT_SHIFTS_MS = [30 * 60_000, 60 * 60_000, 120 * 60_000];

const wallClocks = new Map<string, Intl.DateTimeFormat>();
/** The wall-clock time of `ms` in `zone`, to the second, as ms of the same fields read as UTC. */
function wallClock(zone: string, ms: number): number {
  let format = wallClocks.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    wallClocks.set(zone, format);
  }
  const [month, day, year, hour, minute, second] = format.format(ms).match(/\d+/g)!.map(Number);
  return Date.UTC(year!, month! - 1, day!, hour!, minute!, second!);
}

/** When `ms`'s wall time already happened earlier (clocks went back), how much earlier; else null. */
function repeatShift(zone: string, ms: number): number | null {
  const wall = wallClock(zone, ms);
  return REPEAT_SHIFTS_MS.find((shift) => wallClock(zone, ms - shift) === wall) ?? null;
}

/** The first instant in (from, to] whose UTC offset differs from `from`'s (a binary search to the second). */
function offsetChange(zone: string, from: number, to: number): number {
  const offset = (ms: number) => wallClock(zone, ms) - Math.floor(ms / 1_000) * 1_000;
  const before = offset(from);
  let [low, high] = [from, to];
  while (high - low > 1_000) {
    const mid = low + Math.floor((high - low) / 2_000) * 1_000;
    if (offset(mid) === before) low = mid;
    else high = mid;
  }
  return high;
}

/**
 * Walk cron-parser's candidates from `from` (forward or back) to the first slot: a time whose wall time
 * matches the fields and was not met already. A candidate in a repeated hour sends the walk past that
 * hour at once (to its end going forward, to its start going back), so even a per-second schedule skips
 * it in one step.
 */
function walk(schedule: Schedule, from: number, direction: 'next' | 'prev'): number | null {
  const zone = schedule.timezone;
  let cursor = from;
  try {
    for (let skipped = 0; skipped < MAX_SKIPPED; skipped++) {
      const cron = expression(schedule, cursor);
      const ms = cron[direction]().getTime();
      if (!cron.includesDate(new Date(ms))) {
        cursor = ms;
        continue;
      }
      const shift = repeatShift(zone, ms);
      if (shift === null) return ms;
      // The clocks went back at `change`: [change, change + shift) repeats [change - shift, change).
      const change = offsetChange(zone, ms - shift, ms);
      cursor = direction === 'next' ? change + shift - 1 : change;
    }
  } catch {
    // no date that way (cron-parser's loop limit or time span)
  }
  return null;
}

/** The first slot strictly after `now` (ms since the epoch), or null when there is none. */
export function nextSlot(schedule: Schedule, now: number): number | null {
  return walk(schedule, now, 'next');
}

/** The latest slot at or before `now` (ms since the epoch), or null when there is none. */
export function latestSlot(schedule: Schedule, now: number): number | null {
  // prev() finds times strictly before its start: start just after now so a slot at now counts.
  return walk(schedule, now + 1, 'prev');
}

/**
 * The one slot to fire now for a workflow with these schedules, or null: the most recent slot at or before
 * `now` over all of them, if it is after `since` (slots at or before it never fire) and after `lastFired`
 * (the latest slot already fired, null if none). Several missed slots fire once, as the latest.
 */
export function slotToFire(schedules: readonly Schedule[], at: { since: number; lastFired: number | null; now: number }): number | null {
  let latest: number | null = null;
  for (const schedule of schedules) {
    const slot = latestSlot(schedule, at.now);
    if (slot !== null && (latest === null || slot > latest)) latest = slot;
  }
  if (latest === null || latest <= at.since) return null;
  if (at.lastFired !== null && latest <= at.lastFired) return null;
  return latest;
}
