/**
 * Which credential profile a run gets: smooth weighted round robin (nginx's) over the runner's profiles
 * that may serve the run (its executor, its model) and are not parked. Pure, given the small state it
 * keeps per runner. Measured: bench/credential-parks.bench.ts ("choosing a profile").
 */
import type { RunnerProfile } from '../../protocol/credential-profiles.js';

/** An active park: the profile, and the model it holds back (`''`: every model), until when. */
export interface ProfilePark {
  profile: string;
  model: string;
  until: number;
}

/** What a run asks of a profile: the executor it will run on, and its model when it names one. */
export interface ProfileNeed {
  executor: string | null;
  model?: string | null | undefined;
}

/** Round-robin state of one runner: each profile's current weight. */
export type RoundRobinState = Map<string, number>;

/** The executor a run runs on: its own, else the runner's default. */
const executorOf = (need: ProfileNeed, defaultExecutor: string | null): string | null => need.executor ?? defaultExecutor;

/** The runner's profiles that may serve the run (executor and model), parked or not. */
export function eligibleProfiles(profiles: readonly RunnerProfile[], need: ProfileNeed, defaultExecutor: string | null): RunnerProfile[] {
  const executor = executorOf(need, defaultExecutor);
  const model = need.model ?? null;
  return profiles.filter(
    (p) => (p.executors === null || (executor !== null && p.executors.includes(executor))) && (model === null || p.models === null || p.models.includes(model)),
  );
}

/** The park holding `profile` back for `model` (a park of every model, or of that model), the latest one. */
export function parkOf(profile: string, model: string | null, parks: readonly ProfilePark[]): ProfilePark | undefined {
  let found: ProfilePark | undefined;
  for (const park of parks) {
    if (park.profile !== profile || (park.model !== '' && park.model !== model)) continue;
    if (found === undefined || park.until > found.until) found = park;
  }
  return found;
}

/**
 * Pick a profile for a run: among the eligible profiles not parked, the one smooth weighted round robin
 * gives next (each gains its weight, the largest is chosen and loses the sum). Returns its name; null when
 * the runner has no profile for the run (it runs without one, as before profiles), `'parked'` when every
 * one it has is parked (the run waits).
 */
export function chooseProfile(
  profiles: readonly RunnerProfile[],
  need: ProfileNeed,
  defaultExecutor: string | null,
  parks: readonly ProfilePark[],
  state: RoundRobinState,
): string | null | 'parked' {
  const eligible = eligibleProfiles(profiles, need, defaultExecutor);
  if (eligible.length === 0) return null;
  const free = eligible.filter((p) => parkOf(p.name, need.model ?? null, parks) === undefined);
  if (free.length === 0) return 'parked';
  let total = 0;
  let best: RunnerProfile | undefined;
  let bestWeight = -Infinity;
  for (const p of free) {
    const current = (state.get(p.name) ?? 0) + p.weight;
    state.set(p.name, current);
    total += p.weight;
    if (current > bestWeight) {
      best = p;
      bestWeight = current;
    }
  }
  state.set(best!.name, bestWeight - total);
  return best!.name;
}

/** The executors of a runner none of whose eligible profiles is free: its claims leave their runs (and, `unnamed`, runs naming no executor) alone. */
export function blockedExecutors(
  runner: { executors: readonly string[]; credential_profiles: readonly RunnerProfile[]; default_executor: string | null },
  parks: readonly ProfilePark[],
): { executors: string[]; unnamed: boolean } {
  const blocked = (executor: string | null) => {
    const eligible = eligibleProfiles(runner.credential_profiles, { executor }, runner.default_executor);
    return eligible.length > 0 && eligible.every((p) => parkOf(p.name, null, parks) !== undefined);
  };
  return { executors: runner.executors.filter((e) => blocked(e)), unnamed: blocked(null) };
}
