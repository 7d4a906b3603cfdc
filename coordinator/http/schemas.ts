/** Request bodies and queries of the HTTP API; every one is validated before a handler sees it. */
import { z } from 'zod';
import { ExecutorEventSchema, ResultEventSchema } from '../../lib/events/schema.js';
import { OUTCOME_KINDS } from '../../lib/process/run-outcome.js';
import '../../lib/validation/zod-config.js';
import { MAX_EVENTS_PER_BATCH, MAX_PAGE_LIMIT, MAX_PROMPT_CHARS, MAX_REPORTS_PER_BATCH } from '../constants.js';
import { SESSION_STATUSES } from '../types.js';

const id = (what: string) => z.string().min(1, { message: `${what} must not be empty` });
const tags = z.array(z.string().min(1, { message: 'a tag must not be empty' })).max(64, { message: 'at most 64 tags' });
const prompt = z
  .string()
  .min(1, { message: 'prompt must not be empty' })
  .max(MAX_PROMPT_CHARS, { message: `prompt is longer than ${MAX_PROMPT_CHARS} characters` });
const priority = z.int({ message: 'priority must be a whole number' }).min(-1000).max(1000);
const timeoutS = z.int({ message: 'timeout_s must be a whole number of seconds' }).positive();

export const CreateSessionSchema = z
  .strictObject({
    agent: id('agent').optional(),
    executor: id('executor').optional(),
    prompt,
    tags: tags.optional(),
    project_dir: id('project_dir').optional(),
    parent_session_id: id('parent_session_id').optional(),
    priority: priority.optional(),
    timeout_s: timeoutS.optional(),
    max_attempts: z.int().min(1).max(20).optional(),
    callback_session_id: id('callback_session_id').optional().describe('Resume this session with the outcome when the run ends.'),
  })
  .refine((b) => b.agent !== undefined || b.executor !== undefined, {
    message: 'give an agent or an executor (at least one is required)',
    path: ['agent'],
  });

export const ResumeSessionSchema = z.strictObject({
  prompt,
  priority: priority.optional(),
  timeout_s: timeoutS.optional(),
  callback_session_id: id('callback_session_id').optional(),
});

const limit = z.coerce.number().int({ message: 'limit must be a whole number' }).min(1).max(MAX_PAGE_LIMIT);

export const ListSessionsQuerySchema = z.strictObject({
  status: z.enum(SESSION_STATUSES, { message: `status must be one of ${SESSION_STATUSES.join(', ')}` }).optional(),
  parent: id('parent').optional(),
  agent: id('agent').optional(),
  limit: limit.optional(),
  cursor: id('cursor').optional(),
});

export const ListRunsQuerySchema = z.strictObject({ session_id: id('session_id') });

export const EventsQuerySchema = z.strictObject({
  after: z.coerce.number().int({ message: 'after must be a whole number' }).min(0).optional(),
  limit: limit.optional(),
});

export const RegisterRunnerSchema = z.strictObject({
  name: id('name').max(200).optional(),
  hostname: z.string().max(255).optional(),
  executors: z.array(id('executor')).max(256),
  tags: tags.optional(),
  capacity: z.int().min(1).max(10_000).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

export const HeartbeatSchema = z.strictObject({ running: z.array(id('run id')).max(10_000).optional() });

export const PollSchema = z.strictObject({
  timeout_ms: z.int().min(0).max(300_000).optional(),
  /** Claim up to this many runs in one answer (a runner with several free slots). */
  max: z.int().min(1, { message: 'max must be 1 or more' }).max(64, { message: 'max must be at most 64' }).optional(),
});

export const RunStartedSchema = z.looseObject({ pid: z.int().optional() });

export const EventBatchSchema = z.strictObject({
  events: z
    .array(z.strictObject({ seq: z.int().min(1, { message: 'seq must be 1 or more' }), event: ExecutorEventSchema }))
    .min(1, { message: 'events must hold at least one event' })
    .max(MAX_EVENTS_PER_BATCH, { message: `at most ${MAX_EVENTS_PER_BATCH} events per batch` })
    .superRefine((events, ctx) => {
      for (let i = 1; i < events.length; i++) {
        if (events[i]!.seq <= events[i - 1]!.seq) {
          ctx.addIssue({ code: 'custom', path: [i, 'seq'], message: 'seq must increase strictly within a batch' });
        }
      }
    }),
});

/** A RunOutcome as the runner reports it (lib/process/run-outcome.ts); `kind` and `message` are required. */
export const RunFinishedSchema = z.looseObject({
  kind: z.enum(OUTCOME_KINDS, { message: `kind must be one of ${OUTCOME_KINDS.join(', ')}` }),
  message: z.string(),
  exit_code: z.int().nullable().optional(),
  signal: z.string().nullable().optional(),
  duration_ms: z.number().min(0).optional(),
  stderr_tail: z.string().optional(),
  result: ResultEventSchema.nullable().optional(),
  executor_session_id: z.string().min(1).nullable().optional(),
  forcefully_killed: z.boolean().optional(),
  left_processes_behind: z.boolean().optional(),
});

/** `POST /v1/runners/:id/reports`: started, events and finished of several runs in one request. */
export const RunReportsSchema = z.strictObject({
  reports: z
    .array(
      z
        .strictObject({
          run_id: id('run_id'),
          /** The attempt the report is about (from the claim): a report for an attempt that is over is skipped. */
          attempt: z.int().min(1, { message: 'attempt must be 1 or more' }).optional(),
          started: RunStartedSchema.optional(),
          events: EventBatchSchema.shape.events.optional(),
          finished: RunFinishedSchema.optional(),
        })
        .refine((r) => r.started !== undefined || r.events !== undefined || r.finished !== undefined, {
          message: 'a report needs at least one of started, events, finished',
        }),
    )
    .min(1, { message: 'reports must hold at least one report' })
    .max(MAX_REPORTS_PER_BATCH, { message: `at most ${MAX_REPORTS_PER_BATCH} reports per request` })
    .superRefine((reports, ctx) => {
      const seen = new Set<string>();
      let events = 0;
      reports.forEach((r, i) => {
        // One report per run (per attempt, when attempts are named: a runner may hold reports of two).
        const key = `${r.run_id}#${r.attempt ?? ''}`;
        if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [i, 'run_id'], message: `run ${r.run_id} has more than one report; send one per run` });
        seen.add(key);
        events += r.events?.length ?? 0;
      });
      if (events > MAX_EVENTS_PER_BATCH) ctx.addIssue({ code: 'custom', path: [], message: `at most ${MAX_EVENTS_PER_BATCH} events per request (got ${events})` });
    }),
});
