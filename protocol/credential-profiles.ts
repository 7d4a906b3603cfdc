/**
 * Credential profiles as the coordinator knows them: what a runner registers of each of its profiles (a
 * summary: never a secret value) and how a run's wait for a rate limit reads. The secrets stay in the
 * runner's credentials file (lib/credentials); the coordinator only ever sees these names and numbers.
 */
import { z } from 'zod';
import './zod-config.js';

/** A profile's name: letters, digits, `.`, `_`, `-`, 1–64 characters, starting with a letter or digit (the credentials file's rule). */
export const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** The most profiles one runner may register. */
export const MAX_RUNNER_PROFILES = 100;

const profileName = z.string().regex(PROFILE_NAME, { message: 'name must be 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit' });
const names = (what: string) =>
  z.readonly(z.array(z.string().min(1, { message: `${what} must not hold an empty name` }).max(200, { message: `${what} names are at most 200 characters` })).max(256, { message: `${what} has at most 256 names` }));

export const RunnerProfileSchema = z.strictObject({
  name: profileName,
  /** Its share of the runner's runs (smooth weighted round robin), > 0. */
  weight: z.number().positive({ message: 'weight must be above 0' }).max(1_000_000, { message: 'weight must be at most 1000000' }),
  /** The models it may serve (null: any). */
  models: names('models').nullable(),
  /** The executors whose runs get it (null: every executor). */
  executors: names('executors').nullable(),
  /** The names of its variables (never their values), for `runners` views. */
  variables: z.array(z.string().max(200)).max(256).optional(),
});
export type RunnerProfile = z.infer<typeof RunnerProfileSchema>;

/** A runner's profiles, as it registers them: names unique. */
export const RunnerProfilesSchema = z
  .array(RunnerProfileSchema)
  .max(MAX_RUNNER_PROFILES, { message: `at most ${MAX_RUNNER_PROFILES} credential profiles` })
  .refine((profiles) => new Set(profiles.map((p) => p.name)).size === profiles.length, { message: 'profile names must be unique' });

/**
 * What a queued run waits for, in words: "waiting for rate limit until 21:20 (profile team-a)". `time`
 * formats the reset (the API: UTC as "21:20 UTC"; the CLI: local time). Null when the run is not parked now.
 */
export function describeRateLimitWait(
  park: { parked_until: number | null; park_profile: string | null },
  now: number,
  time: (at: number) => string = (at) => utcClock(at, now),
): string | null {
  if (park.parked_until === null || park.parked_until <= now) return null;
  return `waiting for rate limit until ${time(park.parked_until)}${park.park_profile === null ? '' : ` (profile ${park.park_profile})`}`;
}

/** HH:MM UTC (and the date when it is not today's, UTC). */
export function utcClock(at: number, now: number = Date.now()): string {
  const iso = new Date(at).toISOString();
  const sameDay = iso.slice(0, 10) === new Date(now).toISOString().slice(0, 10);
  return `${sameDay ? '' : `${iso.slice(0, 10)} `}${iso.slice(11, 16)} UTC`;
}
