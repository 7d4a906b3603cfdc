/**
 * What a runner reports about the runs it holds: `POST /v1/runners/:id/reports` (several runs at once,
 * what agent-runner sends) or `/v1/runs/:id/{started,events,finished}` one at a time, and the answers.
 */
import { z } from 'zod';
import { ExecutorEventSchema, ResultEventSchema } from './executor-event.js';
import { id } from './fields.js';
import { MAX_EVENTS_PER_BATCH, MAX_REPORTS_PER_BATCH } from './limits.js';
import { OUTCOME_KINDS } from './outcome.js';
import { RunStatusSchema } from './statuses.js';
import { modelList, modelName } from './routing.js';
import './zod-config.js';

/**
 * The executor started. `model` and `models`: the model the runner gave it and the fallbacks (the
 * assignment's, as chosen at the claim); noted on the run with its start (docs/coordinator.md, "Models and routing").
 */
export const RunStartedSchema = z.looseObject({
  pid: z.int().optional(),
  /**
   * When the runner started the executor, by its clock (a runner holds a lone start back for up to
   * STARTED_HOLD_MS, lib/runner/report-outbox.ts, so it may go with the run's first events or its end):
   * the run's `started_at`, kept between its claim and the report's arrival, so a clock that is off
   * cannot order it wrongly.
   */
  at: z.iso.datetime({ offset: true, message: 'started.at must be an ISO 8601 date-time such as "2026-12-03T08:00:00.000Z"' }).optional(),
  model: modelName('started.model').optional(),
  models: modelList('started.models').optional(),
});

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

/** `POST /v1/runs/:id/events`: how many events were new, and where the run and its session stand. */
export const EventBatchResultSchema = z.looseObject({
  session_id: z.string(),
  accepted: z.number(),
  duplicates: z.number(),
  last_seq: z.number(),
  session_seq: z.number(),
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

/** One run's part of a reports request: applied by the coordinator as started, events, finished. */
export const RunReportSchema = z
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
  });
/** One run's report as a runner writes it. */
export type RunReport = z.input<typeof RunReportSchema>;

/** `POST /v1/runners/:id/reports`: started, events and finished of several runs in one request. */
export const RunReportsSchema = z.strictObject({
  reports: z
    .array(RunReportSchema)
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

/** The coordinator's answer for one run's report: its status now (and what it skipped), or why it refused the report. */
export const RunReportResultSchema = z.union([
  z.looseObject({
    run_id: z.string(),
    status: RunStatusSchema,
    accepted: z.number().optional(),
    duplicates: z.number().optional(),
    skipped: z.string().optional(),
    error: z.never().optional(),
  }),
  z.looseObject({
    run_id: z.string(),
    error: z.looseObject({ status: z.number(), code: z.string(), message: z.string(), details: z.unknown().optional() }),
  }),
]);
export type RunReportResult = z.infer<typeof RunReportResultSchema>;

export const RunReportResultsSchema = z.looseObject({ results: z.array(RunReportResultSchema) });
