import type { Registration } from '../../protocol/runners.js';

/**
 * How long a runner's long-poll may wait when the coordinator keeps the lease of a runner whose poll it
 * holds (`poll_keeps_lease`), or undefined when it does not (the poll waits the coordinator's
 * `poll_timeout_ms`, and the runner always heartbeats).
 *
 * An idle runner sends no heartbeat while its poll is younger than this: such a poll is parked at the
 * coordinator, which renews the lease. A poll older than this is overdue (its answer is held up on its
 * way, and may carry a run the coordinator counts as this runner's), so the runner heartbeats again,
 * saying it holds nothing, and the coordinator takes such a claim back as it would from any heartbeat.
 * The bound keeps that heartbeat inside the lease (poll + one heartbeat interval + a margin of a tenth of
 * the lease, at least a second) and within about three heartbeat intervals of the claim, as when
 * heartbeating. Undefined too when that bound is under a heartbeat interval (a lease too short for it).
 */
export function idlePollTimeoutMs(registration: Pick<Registration, 'poll_keeps_lease' | 'poll_timeout_ms' | 'lease_ms' | 'heartbeat_interval_ms'>): number | undefined {
  if (registration.poll_keeps_lease !== true) return undefined;
  const { poll_timeout_ms: poll, lease_ms: lease, heartbeat_interval_ms: interval } = registration;
  const withinLease = lease - interval - Math.max(1_000, Math.floor(lease / 10));
  const timeout = Math.min(poll, withinLease, 2 * interval);
  // A poll shorter than a heartbeat interval would cost more requests than the heartbeats it saves.
  return timeout >= interval ? timeout : undefined;
}

/** Whether an idle runner (holding no run) may leave out a heartbeat: its poll, sent at `pollSentAt`, is parked and not overdue. */
export function heartbeatNeeded(registration: Parameters<typeof idlePollTimeoutMs>[0], holdsRuns: boolean, pollSentAt: number | undefined, now: number): boolean {
  const timeout = idlePollTimeoutMs(registration);
  if (timeout === undefined || holdsRuns || pollSentAt === undefined) return true;
  return now - pollSentAt >= timeout;
}
