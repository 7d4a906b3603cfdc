import { formatDuration } from '../../protocol/duration.js';
import { describeRateLimitWait } from '../../protocol/credential-profiles.js';
import type { Waiting, WaitingReason } from '../../protocol/sessions.js';
import { describeRequirement, runnerCanServe, runnerMatches, type RunRequirement } from './matching.js';

/** Most runners a placement explanation lists (those that serve the run first); `runners_online` counts all. */
export const MAX_WAITING_RUNNERS = 20;

/** What placement needs of a queued run. */
export interface QueuedRun extends RunRequirement {
  id: string;
  attempt: number;
  max_attempts: number;
  queued_at: number;
  available_at: number;
  excluded_runners: readonly string[];
  /** Parked for a rate limit until then, on this profile (absent or null: not parked). */
  parked_until?: number | null;
  credential_profile?: string | null;
}

/** What placement needs of an online runner. */
export interface OnlineRunner {
  id: string;
  name: string;
  executors: readonly string[];
  tags: readonly string[];
}

const list = (items: readonly string[]) => (items.length === 0 ? 'none' : items.join(', '));

/** One runner for a sentence: `rnr_a serves executors [x, y], tags [gpu]`. */
export function describeRunner(runner: OnlineRunner): string {
  return `${runner.id} serves executors [${list(runner.executors)}], tags [${list(runner.tags)}]`;
}

/** When the run fails for want of a runner, as a clause: now (placement timeout 0), or at a time. */
function deadlineClause(run: QueuedRun, placementTimeoutMs: number): string {
  if (placementTimeoutMs === 0) return 'the placement timeout is 0, so it fails now';
  const at = new Date(run.queued_at + placementTimeoutMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `it fails at ${at} unless one comes (placement timeout ${formatDuration(placementTimeoutMs)})`;
}

/** Why no online runner can take the run (none online, none serves it): one sentence, or null if one can. */
export function unplaceableReason(run: QueuedRun, online: readonly OnlineRunner[]): string | null {
  const asked = describeRequirement(run);
  if (online.length === 0) return `no runner is online to serve ${asked}`;
  if (online.some((runner) => runnerCanServe(run, runner))) return null;
  const failedOn = online.filter((runner) => runnerMatches(run, runner)).map((runner) => runner.id);
  if (failedOn.length > 0) return `no other online runner serves ${asked} (its executor exited 75 on ${failedOn.join(', ')})`;
  const shown = online.slice(0, MAX_WAITING_RUNNERS).map(describeRunner);
  const more = online.length > shown.length ? `; and ${online.length - shown.length} more` : '';
  return `no online runner serves ${asked} (online: ${shown.join('; ')}${more})`;
}

/**
 * Explain why a queued run waits, from the runners online now. Pure: the coordinator renders it in
 * `GET /v1/sessions/:id`, and `agent-runner run` prints its message at once.
 */
export function explainWaiting(run: QueuedRun, online: readonly OnlineRunner[], now: number, placementTimeoutMs: number): Waiting {
  const serving = online.filter((runner) => runnerCanServe(run, runner));
  const ordered = [...serving, ...online.filter((runner) => !serving.includes(runner))].slice(0, MAX_WAITING_RUNNERS);
  const unplaceable = unplaceableReason(run, online);
  let reason: WaitingReason;
  let message: string;
  if (unplaceable !== null) {
    reason = online.length === 0 ? 'no_runner_online' : 'no_runner_serves';
    message = `${unplaceable}; ${deadlineClause(run, placementTimeoutMs)}`;
  } else if ((run.parked_until ?? 0) > now) {
    reason = 'rate_limit';
    message = describeRateLimitWait({ parked_until: run.parked_until!, park_profile: run.credential_profile ?? null }, now)!;
  } else if (run.available_at > now) {
    reason = 'retry_backoff';
    message = `attempt ${run.attempt} of ${run.max_attempts} waits for its retry delay, until ${new Date(run.available_at).toISOString()}`;
  } else {
    reason = 'runner_busy';
    const names = serving.slice(0, 3).map((r) => r.id).join(', ');
    message = `${serving.length} online runner${serving.length === 1 ? '' : 's'} can serve it (${names}${serving.length > 3 ? ', …' : ''}); waiting for a free slot`;
  }
  return {
    run_id: run.id,
    reason,
    message,
    executor: run.executor,
    tags: [...run.tags],
    excluded_runners: [...run.excluded_runners],
    runners: ordered.map((r) => ({
      runner_id: r.id,
      name: r.name,
      executors: [...r.executors],
      tags: [...r.tags],
      serves: serving.includes(r),
      excluded: run.excluded_runners.includes(r.id),
    })),
    runners_online: online.length,
    available_at: new Date(run.available_at).toISOString(),
    fails_at: unplaceable === null ? null : new Date(run.queued_at + placementTimeoutMs).toISOString(),
  };
}
