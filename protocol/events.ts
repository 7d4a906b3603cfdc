/** `/v1/sessions/:id/events`: a session's stored events, paged as JSON or followed live as SSE. */
import { z } from 'zod';
import { isoTime, limit } from './fields.js';
import { RunStatusSchema } from './statuses.js';
import './zod-config.js';

export const EventsQuerySchema = z.strictObject({
  after: z.coerce.number().int({ message: 'after must be a whole number' }).min(0).optional(),
  limit: limit.optional(),
  tree: z
    .enum(['true', 'false'], { message: 'tree must be true or false' })
    .transform((v) => v === 'true')
    .optional()
    .describe("With text/event-stream: every event of the session's subtree, each tagged with its session's depth below it."),
});

/**
 * The `event` of a stored event: an executor event as its runner reported it (protocol/executor-event.ts;
 * not re-validated here, so an old event stays readable), or a `run_status` the coordinator recorded.
 */
export const StoredEventDataSchema = z.looseObject({ type: z.string() });

/** What the coordinator records each time a run enters a state (`type: "run_status"`). */
export const RunStatusEventSchema = z.looseObject({
  type: z.literal('run_status'),
  run_id: z.string(),
  status: RunStatusSchema,
  attempt: z.number(),
  runner_id: z.string().nullable(),
  /** Why, when the run failed or was lost: its error, or the outcome's message. */
  message: z.string().optional(),
  /** The outcome's kind, when a runner reported one. */
  kind: z.string().optional(),
});
export type RunStatusEvent = z.infer<typeof RunStatusEventSchema>;

/** One stored event: per-session `seq`, its run and per-run `run_seq`, and what was reported (`event`). */
export const SessionEventSchema = z.looseObject({
  seq: z.number(),
  session_id: z.string(),
  run_id: z.string(),
  run_seq: z.number(),
  type: z.string(),
  event: StoredEventDataSchema,
  created_at: isoTime,
  /** Tree streams only: how far below the streamed session its session is, its agent, executor and parent. */
  depth: z.number().optional(),
  agent: z.string().nullable().optional(),
  executor: z.string().nullable().optional(),
  parent_session_id: z.string().nullable().optional(),
});
export type SessionEvent = z.infer<typeof SessionEventSchema>;

/** `GET /v1/sessions/:id/events` (JSON): a page and the `after` of the next one. */
export const EventPageSchema = z.looseObject({ events: z.array(SessionEventSchema), next_after: z.number() });
