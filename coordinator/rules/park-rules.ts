/**
 * Parking a run for a rate limit (docs/coordinator.md, "Parking"): how long, and when it may start again.
 * Pure.
 */
import type { RunnerProfile } from '../../protocol/credential-profiles.js';
import { runnerCanServe, type RunRequirement } from './matching.js';
import { eligibleProfiles, parkOf, type ProfilePark } from './profile-choice.js';

/** How long a limit that gave no reset time (`retry_at` absent) holds its profile back. */
export const RATE_LIMIT_DEFAULT_WAIT_MS = 5 * 60_000;
/** The shortest park: a reset time in the past (or now) still waits this long, so a limit never spins. */
export const MIN_PARK_MS = 1_000;
/** The longest park (Claude's weekly limits are the longest known); a later `retry_at` is cut to it. */
export const MAX_PARK_MS = 8 * 24 * 60 * 60_000;
/**
 * How often one run may be parked. Each park waits for a reset (or moves to a free profile), so this
 * bounds a run that meets limits forever; past it, its exit 75 is an ordinary infrastructure failure
 * (an attempt charged, then the run fails when none are left).
 */
export const MAX_PARKS_PER_RUN = 50;

/** Until when a limit holds its profile back: `retry_at`, else the default wait, within [MIN_PARK_MS, MAX_PARK_MS] from now. */
export function parkUntil(retryAt: string | undefined, now: number): number {
  const said = retryAt === undefined ? Number.NaN : Date.parse(retryAt);
  const until = Number.isFinite(said) ? said : now + RATE_LIMIT_DEFAULT_WAIT_MS;
  return Math.min(Math.max(until, now + MIN_PARK_MS), now + MAX_PARK_MS);
}

/** An online runner as parking reads it: what it serves and its profiles. */
export interface ProfiledRunner {
  id: string;
  executors: readonly string[];
  tags: readonly string[];
  credential_profiles: readonly RunnerProfile[];
  default_executor: string | null;
}

/**
 * When a parked run may be claimed again: now when an online runner that serves it has an eligible
 * profile that is not parked (`parks` already holds the new park), else at the earliest end of the parks
 * holding back the profiles that could serve it, else at `until` (its own park: a runner without profiles).
 */
export function restartAt(run: RunRequirement & { model?: string | null }, until: number, online: readonly ProfiledRunner[], parks: readonly ProfilePark[], now: number): number {
  let earliest = Number.POSITIVE_INFINITY;
  for (const runner of online) {
    if (!runnerCanServe(run, runner)) continue;
    for (const profile of eligibleProfiles(runner.credential_profiles, run, runner.default_executor)) {
      const park = parkOf(profile.name, run.model ?? null, parks);
      if (park === undefined || park.until <= now) return now;
      earliest = Math.min(earliest, park.until);
    }
  }
  return Number.isFinite(earliest) ? Math.max(now, earliest) : until;
}
