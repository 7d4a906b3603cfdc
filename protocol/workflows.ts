/**
 * Workflows over HTTP: `/v1/workflows` (the definitions the coordinator's workflows folder holds) and
 * `/v1/workflow-runs` (runs of them: start, list, show, cancel, resume, follow). The file format itself is
 * protocol/workflow-file.ts; the compiled model is lib/workflow/model.ts.
 */
import { z } from 'zod';
import { id, isoTime, limit, priority, projectDir, tags } from './fields.js';
import { BudgetSchema, UsageTotalsSchema } from './tree.js';
import './zod-config.js';

/** Most jobs one workflow may have (matrix instances not counted), and most instances one matrix may expand to. */
export const MAX_WORKFLOW_JOBS = 2_000;
export const MAX_MATRIX_INSTANCES = 5_000;
/** Deepest nesting of workflows in workflows. */
export const MAX_WORKFLOW_NESTING = 8;
/** Largest workflow inputs object, as JSON. */
export const MAX_WORKFLOW_INPUTS_CHARS = 1_000_000;

export const WORKFLOW_RUN_STATUSES = ['running', 'succeeded', 'failed', 'cancelled'] as const;
export type WorkflowRunStatus = (typeof WORKFLOW_RUN_STATUSES)[number];
export const WorkflowRunStatusSchema = z.enum(WORKFLOW_RUN_STATUSES, { message: `status must be one of ${WORKFLOW_RUN_STATUSES.join(', ')}` });

/**
 * A job's (and a matrix instance's) state. `pending`: waiting for the jobs it needs; `queued`: its session
 * is queued (or a retry waits for its backoff); `running`; `waiting`: a gate waits for a person, or a nested
 * workflow runs; then one of the ended states.
 */
export const JOB_STATUSES = ['pending', 'queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled', 'skipped'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const ENDED_JOB_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled', 'skipped'];

/** A job's result as expressions see it (`jobs.ID.result`): GitHub Actions' words. A failure let through by continue-on-error is `success`. */
export const JOB_RESULTS = ['success', 'failure', 'cancelled', 'skipped'] as const;
export type JobResult = (typeof JOB_RESULTS)[number];

/** How a workflow run was started. */
export const WORKFLOW_TRIGGERS = ['cli', 'api', 'mcp', 'schedule', 'dispatch', 'workflow'] as const;
export type WorkflowTrigger = (typeof WORKFLOW_TRIGGERS)[number];

/** Inputs by name. A `__proto__` key is refused (a record would drop it: nothing given may be lost silently). */
const inputsField = z
  .unknown()
  .superRefine((value, ctx) => {
    if (typeof value === 'object' && value !== null && Object.hasOwn(value, '__proto__')) ctx.addIssue({ code: 'custom', message: '"__proto__" is not a name an input may have' });
  })
  .pipe(
    z
      .record(z.string().min(1, { message: 'an input name must not be empty' }), z.unknown(), { message: 'inputs must be an object of name: value' })
      .refine((inputs) => JSON.stringify(inputs).length <= MAX_WORKFLOW_INPUTS_CHARS, { message: `inputs is larger than ${MAX_WORKFLOW_INPUTS_CHARS} characters as JSON` }),
  );

/**
 * `POST /v1/workflow-runs`: run a workflow, by name (the coordinator's workflows folder) or given whole
 * (`definition`: the file's document, already parsed from YAML or JSON; `file` names it in errors).
 */
export const StartWorkflowRunSchema = z
  .strictObject({
    workflow: id('workflow').optional().describe('The name of a workflow in the coordinator\'s workflows folder.'),
    definition: z.record(z.string(), z.unknown(), { message: 'definition must be an object (the workflow file\'s document)' }).optional(),
    file: z.string().max(4096).optional().describe('Where `definition` was read from, to name it in errors.'),
    inputs: inputsField.optional(),
    project_dir: projectDir.optional(),
    parent_session_id: id('parent_session_id').optional().describe('Start the workflow\'s root session under this session (an agent\'s start_workflow).'),
    priority: priority.optional(),
    tags: tags.optional(),
    budget: BudgetSchema.optional().describe('The tree budget of this run (default: the workflow\'s `budget`).'),
    trigger: z.enum(['cli', 'api', 'mcp'], { message: 'trigger must be "cli", "api" or "mcp"' }).optional(),
  })
  .superRefine((body, ctx) => {
    if ((body.workflow === undefined) === (body.definition === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['workflow'], message: 'give exactly one of workflow (a name) and definition (a document)' });
    }
  });
export type StartWorkflowRun = z.input<typeof StartWorkflowRunSchema>;

/** `POST /v1/workflows/:name/dispatch`: start a named workflow from another system (webhook), with inputs. */
export const DispatchWorkflowSchema = z.strictObject({
  inputs: inputsField.optional(),
  project_dir: projectDir.optional(),
});

/** `GET /v1/workflow-runs/:id/events`: `tasks=true` sends every task in each view (default: each job's tasks summed up). */
export const WorkflowRunEventsQuerySchema = z.strictObject({
  tasks: z.enum(['true', 'false'], { message: 'tasks must be true or false' }).transform((v) => v === 'true').optional(),
});

export const CancelWorkflowRunSchema = z.strictObject({
  reason: z.string().max(1_000, { message: 'reason is longer than 1000 characters' }).optional(),
});

export const ListWorkflowRunsQuerySchema = z.strictObject({
  name: id('name').optional(),
  status: WorkflowRunStatusSchema.optional(),
  limit: limit.optional(),
  cursor: id('cursor').optional(),
});

/** One matrix instance (or the one task of a job that has no matrix): one session per attempt. */
export const WorkflowTaskViewSchema = z.looseObject({
  key: z.string(),
  matrix: z.record(z.string(), z.unknown()).nullable(),
  status: z.enum(JOB_STATUSES),
  attempt: z.number(),
  session_id: z.string().nullable(),
  /** Every attempt's session, oldest first. */
  session_ids: z.array(z.string()),
  question_id: z.string().nullable(),
  child_workflow_run_id: z.string().nullable(),
  outputs: z.record(z.string(), z.unknown()).nullable(),
  error: z.string().nullable(),
  /** When a retry may start (a backoff in progress), else null. */
  retry_at: isoTime.nullable(),
  started_at: isoTime.nullable(),
  ended_at: isoTime.nullable(),
  cost_usd: z.number(),
});
export type WorkflowTaskView = z.infer<typeof WorkflowTaskViewSchema>;

export const WorkflowJobViewSchema = z.looseObject({
  id: z.string(),
  kind: z.enum(['agent', 'run', 'gate', 'workflow']),
  /** What it runs, in a few words: the agent, `$ command`, the gate's question, the nested workflow. */
  label: z.string(),
  needs: z.array(z.string()),
  status: z.enum(JOB_STATUSES),
  result: z.enum(JOB_RESULTS).nullable(),
  /** Why it was skipped or cancelled, or the last error. */
  reason: z.string().nullable(),
  continue_on_error: z.boolean(),
  /** The most attempts any of its tasks took (1: no retry). */
  attempts: z.number(),
  started_at: isoTime.nullable(),
  ended_at: isoTime.nullable(),
  duration_ms: z.number().nullable(),
  cost_usd: z.number(),
  outputs: z.record(z.string(), z.unknown()).nullable(),
  /** Matrix instances: how many in all, ended, failed (null without a matrix). */
  matrix: z.looseObject({ total: z.number(), done: z.number(), failed: z.number() }).nullable(),
  /** Without tasks (a live view): its tasks in flight, by their state. */
  in_flight: z.looseObject({ queued: z.number(), running: z.number(), waiting: z.number() }).optional(),
  /** Every task; empty in a view read without them (`tasks_included: false`). */
  tasks: z.array(WorkflowTaskViewSchema),
});
export type WorkflowJobView = z.infer<typeof WorkflowJobViewSchema>;

export const WorkflowRunViewSchema = z.looseObject({
  workflow_run_id: z.string(),
  name: z.string(),
  status: WorkflowRunStatusSchema,
  trigger: z.enum(WORKFLOW_TRIGGERS),
  inputs: z.record(z.string(), z.unknown()),
  root_session_id: z.string(),
  parent_session_id: z.string().nullable(),
  /** The workflow run and job this one is nested in. */
  parent_workflow_run_id: z.string().nullable(),
  parent_job: z.string().nullable(),
  /** 1, then one more per `workflow resume`. */
  attempt: z.number(),
  error: z.string().nullable(),
  created_at: isoTime,
  ended_at: isoTime.nullable(),
  duration_ms: z.number().nullable(),
  /** Usage of the whole tree (the root session's tree totals). */
  totals: UsageTotalsSchema,
  counts: z.looseObject({ total: z.number(), done: z.number(), succeeded: z.number(), failed: z.number(), skipped: z.number(), cancelled: z.number() }),
  /** Grows with every change of the run or its jobs. */
  version: z.number(),
  /** false: jobs come without their tasks (`GET …/events` unless `?tasks=true`): a live view, cheap for any matrix. */
  tasks_included: z.boolean().optional(),
  jobs: z.array(WorkflowJobViewSchema),
});
export type WorkflowRunView = z.infer<typeof WorkflowRunViewSchema>;

/** A run in a list (no jobs). */
export const WorkflowRunSummarySchema = WorkflowRunViewSchema.omit({ jobs: true });
export type WorkflowRunSummary = z.infer<typeof WorkflowRunSummarySchema>;

/** `POST /v1/workflow-runs` and dispatch answer this. */
export const WorkflowRunStartedSchema = z.looseObject({
  workflow_run_id: z.string(),
  root_session_id: z.string(),
  name: z.string(),
  status: WorkflowRunStatusSchema,
});

/** A workflow the coordinator's folder holds, as `GET /v1/workflows` lists it. */
export const WorkflowSummarySchema = z.looseObject({
  name: z.string(),
  description: z.string().nullable(),
  form: z.enum(['seed', 'jobs']),
  jobs: z.number(),
  inputs: z.record(z.string(), z.unknown()),
  schedules: z.array(z.looseObject({ cron: z.string(), timezone: z.string().nullable() })),
  /** The file it was read from (relative to the folder). */
  file: z.string().nullable(),
  /** The next slot of its schedules, if any. */
  next_run_at: isoTime.nullable(),
  updated_at: isoTime,
});

/** A bad file in the workflows folder: each issue with its path in the file and line:column. */
export const WorkflowProblemSchema = z.looseObject({
  file: z.string(),
  workflow: z.string().nullable(),
  message: z.string(),
  issues: z.array(z.looseObject({ path: z.string(), message: z.string(), line: z.number().nullable(), col: z.number().nullable() })),
  /** An earlier good version of it is still in use. */
  kept: z.boolean(),
});
export type WorkflowProblem = z.infer<typeof WorkflowProblemSchema>;

