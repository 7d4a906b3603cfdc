/**
 * A claim by a runner with credential profiles (issue 18): its executors whose profiles are all parked
 * are left out of the claim (their runs stay queued for other runners, or until a park ends), and each
 * claimed run is given a profile by smooth weighted round robin among the free ones (profile-choice.ts),
 * recorded on the run (`credential_profile`), which the long-poll's answer names.
 */
import { blockedExecutors, chooseProfile, type RoundRobinState } from '../../rules/profile-choice.js';
import type { RunnerProfile } from '../../../protocol/credential-profiles.js';
import type { RunRecord } from '../../types.js';
import type { SqlClient } from '../sql-client.js';
import { claimAssignments, type ClaimedRun, type ClaimingRunner } from './claim-next-run.js';
import { activeParks } from './park-run.js';
import { releaseRun } from './release-run.js';

/**
 * Round-robin state per runner id, in this coordinator process (replicas each keep their own: the shares
 * hold per replica; a restart starts them afresh). A runner's state is dropped when it re-registers under
 * a new id after `MAX_RUNNER_STATES` others.
 */
const states = new Map<string, RoundRobinState>();
const MAX_RUNNER_STATES = 10_000;

function stateOf(runnerId: string): RoundRobinState {
  let state = states.get(runnerId);
  if (state === undefined) {
    if (states.size >= MAX_RUNNER_STATES) states.delete(states.keys().next().value!);
    state = new Map();
    states.set(runnerId, state);
  }
  return state;
}

/** claimAssignments for any runner: with profiles chosen when it has some (one read of the parks more, one write per claimed run). */
export async function claimForRunner(sql: SqlClient, runner: ClaimingRunner, now: number, max: number): Promise<ClaimedRun[]> {
  if ((runner.credential_profiles?.length ?? 0) === 0) return claimAssignments(sql, runner, now, max);
  // SQLite: the parks' read, the claim and the profile's write in one transaction (one commit, not two: a
  // second commit cost 14 ms a run on the shared box, bench/credential-parks). PostgreSQL keeps its claim one
  // statement that retries on its own (a failed statement would abort a transaction around it).
  if (sql.dialect === 'sqlite') return sql.transaction((tx) => claimWithProfiles(tx, runner, now, max));
  return claimWithProfiles(sql, runner, now, max);
}

async function claimWithProfiles(sql: SqlClient, runner: ClaimingRunner, now: number, max: number): Promise<ClaimedRun[]> {
  const profiles: readonly RunnerProfile[] = runner.credential_profiles ?? [];
  const defaultExecutor = runner.default_executor ?? null;
  const parks = await activeParks(sql, now);
  const blocked = blockedExecutors({ executors: runner.executors, credential_profiles: profiles, default_executor: defaultExecutor }, parks);
  const executors = runner.executors.filter((e) => !blocked.executors.includes(e));
  if (executors.length === 0 && blocked.unnamed) return [];
  const claimed = await claimAssignments(sql, { ...runner, executors, unnamed: !blocked.unnamed }, now, max);
  const state = stateOf(runner.id);
  const kept: ClaimedRun[] = [];
  for (const one of claimed) {
    const chosen = chooseProfile(profiles, { executor: one.run.executor }, defaultExecutor, parks, state);
    if (chosen === 'parked') {
      // Not reachable while runs name no model (their executors were left out above); kept for model parks.
      await releaseRun(sql, one.run.id, now);
      continue;
    }
    if (chosen !== one.run.credential_profile || one.run.parked_until !== null) {
      await sql.query('UPDATE runs SET credential_profile = ?, parked_until = NULL WHERE id = ?', [chosen, one.run.id]);
      one.run = { ...one.run, credential_profile: chosen, parked_until: null };
    }
    kept.push(one);
  }
  return kept;
}

/**
 * The run's model was chosen after its profile (routing happens once the claim is made): when its profile
 * does not serve that model (its `models`), choose again among the runner's free profiles that do, and note
 * the new one on the run. When none does (or all of those are parked), the first choice stands.
 */
export async function fitProfileToModel(sql: SqlClient, runner: ClaimingRunner, run: RunRecord, now: number): Promise<RunRecord> {
  const profiles: readonly RunnerProfile[] = runner.credential_profiles ?? [];
  const current = profiles.find((p) => p.name === run.credential_profile);
  if (run.model === null || current === undefined || current.models === null || current.models.includes(run.model)) return run;
  const chosen = chooseProfile(profiles, { executor: run.executor, model: run.model }, runner.default_executor ?? null, await activeParks(sql, now), stateOf(runner.id));
  if (chosen === null || chosen === 'parked' || chosen === run.credential_profile) return run;
  await sql.query('UPDATE runs SET credential_profile = ? WHERE id = ? AND runner_id = ?', [chosen, run.id, runner.id]);
  return { ...run, credential_profile: chosen };
}
