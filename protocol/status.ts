/** `GET /v1/status`: one screen of system status (the coordinator, its store, the fleet, the queue, the last hour). */
import { z } from 'zod';
import { isoTime } from './fields.js';
import './zod-config.js';

const count = z.int().min(0);

/** The window the success rate and the ended runs of `last_hour` cover. */
export const STATUS_WINDOW_MS = 3_600_000;

export const SystemStatusSchema = z.looseObject({
  /** When the coordinator answered. */
  time: isoTime,
  coordinator: z.looseObject({
    version: z.string(),
    store: z.enum(['sqlite', 'postgres']),
    started_at: isoTime,
    uptime_s: z.number().min(0),
  }),
  /** Runners by health, and the slots (executors at once) of the online ones: in use and in all. */
  runners: z.looseObject({ online: count, stale: count, offline: count, slots_used: count, slots_total: count }),
  /** Runs in flight, by state. */
  runs: z.looseObject({ queued: count, claimed: count, running: count, lost: count }),
  /** The queued runs: how many, and how long the oldest has waited (null when none waits). */
  queue: z.looseObject({ depth: count, oldest_queued_at: isoTime.nullable(), age_s: z.number().min(0).nullable() }),
  /** Runs that ended in the last hour, by state, and the share that succeeded (null when none ended). */
  last_hour: z.looseObject({
    succeeded: count,
    failed: count,
    cancelled: count,
    timed_out: count,
    success_rate: z.number().min(0).max(1).nullable(),
  }),
  /** Sessions with a run in flight. */
  sessions: z.looseObject({ queued: count, running: count }),
  /**
   * Credential profiles parked for a rate limit now (docs/coordinator.md, "Parking"): the profile, the model it
   * holds back (null: every model), until when, the executor's message, and the runs waiting on it. Absent
   * from coordinators before issue 18.
   */
  rate_limits: z
    .array(z.looseObject({ profile: z.string(), model: z.string().nullable(), until: isoTime, message: z.string(), runs_waiting: count }))
    .optional(),
});
export type SystemStatus = z.infer<typeof SystemStatusSchema>;
