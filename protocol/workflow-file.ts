/**
 * The workflow file: YAML or JSON, in one of two surface forms that compile to one model
 * (lib/workflow/model.ts, by lib/workflow/compile-workflow.ts):
 * - the seed form, `workflow: {name, steps: [...]}` (DESIGN Appendix A), whose steps run in order unless
 *   they say `depends_on`, and whose `parallel:` items run their steps at once;
 * - the jobs form, shaped like GitHub Actions: `name`, `inputs`, `defaults`, `budget`, `timeout`, `on`,
 *   `jobs: {ID: {needs, if, agent | executor | run | gate | workflow, …}}`.
 * A document with a top-level `workflow` key is the seed form; any other is the jobs form.
 * lib/workflow/validate-workflow.ts checks what a schema cannot (references, cycles, expressions).
 */
import { z } from 'zod';
import { parseDuration } from './duration.js';
import { id, priority, tags } from './fields.js';
import { MAX_TIMEOUT_S } from './limits.js';
import { BudgetSchema } from './tree.js';
import './zod-config.js';

/** What a job id (a `jobs:` key) may look like: GitHub Actions' rule. */
export const JOB_ID = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** What a workflow's name may look like (it names the file's workflow in the folder, the API and the CLI). */
export const WORKFLOW_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** Most retries one job may ask for. */
export const MAX_JOB_RETRIES = 100;
/** Longest text a workflow or job field may hold (a prompt, a command, a question). */
export const MAX_WORKFLOW_TEXT_CHARS = 1_000_000;

const text = (what: string) => z.string({ message: `${what} must be a string` }).max(MAX_WORKFLOW_TEXT_CHARS, { message: `${what} is longer than ${MAX_WORKFLOW_TEXT_CHARS} characters` });

const workflowName = z
  .string({ error: (issue) => (issue.input === undefined ? 'is required (the workflow\'s name)' : 'name must be a string') })
  .regex(WORKFLOW_NAME, { message: 'name must be up to 128 letters, digits, ".", "_" or "-", starting with a letter or digit' });

/**
 * A duration: `90s`, `10m`, `1h30m` (protocol/duration.ts) or a number of seconds; read as whole seconds
 * (rounded up), at most 7 days.
 */
export const durationSeconds = (what: string) =>
  z.unknown().transform((value, ctx): number => {
    const refuse = (message: string) => {
      ctx.addIssue({ code: 'custom', message, input: value });
      return z.NEVER;
    };
    if (typeof value === 'number') {
      if (!Number.isFinite(value) || value <= 0) return refuse(`${what} must be a positive number of seconds`);
      if (value > MAX_TIMEOUT_S) return refuse(`${what} must be at most ${MAX_TIMEOUT_S} seconds (7 days)`);
      return Math.ceil(value);
    }
    if (typeof value !== 'string') return refuse(`${what} must be a duration like "90s", "10m" or a number of seconds`);
    try {
      return Math.ceil(parseDuration(value, what) / 1_000);
    } catch (error) {
      // The issue's path names the field already.
      return refuse((error as Error).message.replace(`${what}: `, ''));
    }
  });

/** A value that may be written as one string or a list of them (`needs: build`), read as a list. */
const oneOrList = (what: string) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? [v] : v),
    z.array(z.string({ message: `each of ${what} must be a string (a job id)` }).min(1, { message: `${what} must not hold an empty name` }), {
      message: `${what} must be a job id or a list of them`,
    }),
  );

// ---- the seed form ---------------------------------------------------------------------------------------

/** One step of the seed form: an agent (`skill`) run with `action` as its prompt and `params` as its inputs. */
export const SeedStepSchema = z.strictObject({
  skill: id('skill').describe('The agent to run (a skill is an agent here).'),
  action: text('action').optional().describe('What to do: the agent\'s prompt.'),
  params: z.record(z.string(), z.unknown(), { message: 'params must be an object' }).optional().describe('Structured inputs: the invocation\'s metadata.inputs.'),
  depends_on: z.array(z.string({ message: 'each of depends_on must be a skill name' }), { message: 'depends_on must be a list of skill names' }).optional(),
});
export type SeedStep = z.infer<typeof SeedStepSchema>;

/** An item of `steps`: a step, or `{parallel: [steps]}` whose steps run at once. */
export const SeedItemSchema = z
  .strictObject({
    skill: SeedStepSchema.shape.skill.optional(),
    action: SeedStepSchema.shape.action,
    params: SeedStepSchema.shape.params,
    depends_on: SeedStepSchema.shape.depends_on,
    parallel: z.array(SeedStepSchema, { message: 'parallel must be a list of steps' }).min(1, { message: 'parallel must hold at least one step' }).optional(),
  })
  .superRefine((item, ctx) => {
    if (item.parallel !== undefined) {
      for (const key of ['skill', 'action', 'params', 'depends_on'] as const) {
        if (item[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `a parallel item holds only parallel (put ${key} in its steps)` });
      }
    } else if (item.skill === undefined) {
      ctx.addIssue({ code: 'custom', path: ['skill'], message: 'is required (a step names its skill, or is a parallel: [...] group)' });
    }
  });
export type SeedItem = z.infer<typeof SeedItemSchema>;

/** The seed form: `workflow: {name, description?, steps}`. */
export const SeedWorkflowFileSchema = z.strictObject({
  workflow: z.strictObject(
    {
      name: workflowName,
      description: text('description').optional(),
      steps: z.array(SeedItemSchema, { message: 'steps must be a list' }).min(1, { message: 'steps must hold at least one step' }),
    },
    { message: 'workflow must be an object with name and steps' },
  ),
});
export type SeedWorkflowFile = z.infer<typeof SeedWorkflowFileSchema>;

// ---- the jobs form ---------------------------------------------------------------------------------------

export const INPUT_TYPES = ['string', 'number', 'boolean', 'choice', 'json'] as const;

/** One declared input; `default` must be of its type, a choice's default one of its options. */
export const InputSchema = z
  .strictObject({
    type: z.enum(INPUT_TYPES, { message: `type must be one of ${INPUT_TYPES.join(', ')}` }).default('string'),
    description: text('description').optional(),
    required: z.boolean({ message: 'required must be true or false' }).optional(),
    default: z.unknown().optional(),
    options: z.array(z.string({ message: 'each option must be a string' }), { message: 'options must be a list of strings' }).min(1, { message: 'options must not be empty' }).optional(),
  })
  .superRefine((input, ctx) => {
    if (input.type === 'choice' && input.options === undefined) ctx.addIssue({ code: 'custom', path: ['options'], message: 'is required for a choice input' });
    if (input.type !== 'choice' && input.options !== undefined) ctx.addIssue({ code: 'custom', path: ['options'], message: 'is only for a choice input' });
    if (input.default === undefined) return;
    const problem = inputValueProblem(input.type, input.options, input.default);
    if (problem !== null) ctx.addIssue({ code: 'custom', path: ['default'], message: problem });
  });
export type InputDecl = z.infer<typeof InputSchema>;

/** Why `value` is not a value of an input of `type` (null when it is). Shared with the engine's check of given inputs. Pure. */
export function inputValueProblem(type: (typeof INPUT_TYPES)[number], options: readonly string[] | undefined, value: unknown): string | null {
  switch (type) {
    case 'string':
      return typeof value === 'string' ? null : 'must be a string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : 'must be a number';
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be true or false';
    case 'choice':
      return typeof value === 'string' && (options ?? []).includes(value) ? null : `must be one of ${(options ?? []).map((o) => JSON.stringify(o)).join(', ')}`;
    case 'json':
      return null;
  }
}

export const BACKOFFS = ['exponential', 'linear', 'fixed'] as const;

/** `retry:` of a job or of `defaults`. */
export const RetrySchema = z.strictObject({
  max: z.int({ message: 'retry.max must be a whole number' }).min(0, { message: 'retry.max must be at least 0' }).max(MAX_JOB_RETRIES, { message: `retry.max must be at most ${MAX_JOB_RETRIES}` }).optional(),
  backoff: z.enum(BACKOFFS, { message: `retry.backoff must be one of ${BACKOFFS.join(', ')}` }).optional(),
  initial: durationSeconds('retry.initial').optional(),
  max_delay: durationSeconds('retry.max_delay').optional(),
});
export type RetryDecl = z.infer<typeof RetrySchema>;

export const URGENCIES = ['low', 'normal', 'high'] as const;

/** `gate:` a question to people: its text, or the whole question. */
export const GateSchema = z.preprocess(
  (v) => (typeof v === 'string' ? { question: v } : v),
  z.strictObject(
    {
      question: text('gate.question').min(1, { message: 'gate.question must not be empty' }),
      options: z.array(z.string({ message: 'each gate option must be a string' }), { message: 'gate.options must be a list of strings' }).min(2, { message: 'gate.options must offer at least two choices' }).optional(),
      details: text('gate.details').optional(),
      urgency: z.enum(URGENCIES, { message: `gate.urgency must be one of ${URGENCIES.join(', ')}` }).optional(),
      timeout: durationSeconds('gate.timeout').optional(),
      on_timeout: z.enum(['allow', 'deny'], { message: 'gate.on_timeout must be "allow" or "deny"' }).optional(),
    },
    { message: 'gate must be a question (a string) or an object with question' },
  ),
);
export type GateDecl = z.infer<typeof GateSchema>;

/** `strategy:` a matrix (axes, include, exclude), max-parallel and fail-fast. Axis values are checked by the validator. */
export const StrategySchema = z.strictObject({
  matrix: z.record(z.string(), z.unknown(), { message: 'strategy.matrix must be an object of axis: [values]' }),
  'max-parallel': z.int({ message: 'max-parallel must be a whole number' }).min(1, { message: 'max-parallel must be at least 1' }).optional(),
  'fail-fast': z.boolean({ message: 'fail-fast must be true or false' }).optional(),
});
export type StrategyDecl = z.infer<typeof StrategySchema>;

/** The kinds of work a job may name; a job names exactly one (agent and executor together count as one). */
export const JOB_KIND_FIELDS = ['agent', 'executor', 'run', 'gate', 'workflow'] as const;

/** One job of the jobs form. */
export const JobSchema = z.strictObject(
  {
    needs: oneOrList('needs').optional(),
    depends_on: oneOrList('depends_on').optional().describe('An alias of needs.'),
    if: z.union([z.string(), z.boolean()], { message: 'if must be an expression (a string) or true/false' }).optional(),
    agent: id('agent').optional(),
    executor: id('executor').optional(),
    run: text('run').min(1, { message: 'run must not be empty' }).optional(),
    gate: GateSchema.optional(),
    workflow: workflowName.optional(),
    prompt: text('prompt').optional(),
    with: z.record(z.string(), z.unknown(), { message: 'with must be an object' }).optional(),
    outputs: z.record(z.string(), z.string({ message: 'an output must be a string (an expression like ${{ data.summary }})' }), { message: 'outputs must be an object of name: expression' }).optional(),
    strategy: StrategySchema.optional(),
    retry: RetrySchema.optional(),
    timeout: durationSeconds('timeout').optional(),
    'continue-on-error': z.boolean({ message: 'continue-on-error must be true or false' }).optional(),
    tags: tags.optional(),
    priority: priority.optional(),
  },
  { message: 'a job must be an object' },
);
export type JobDecl = z.infer<typeof JobSchema>;

/** `defaults:` folded into every job that does not say otherwise. */
export const DefaultsSchema = z.strictObject({
  timeout: durationSeconds('defaults.timeout').optional(),
  retry: RetrySchema.optional(),
  tags: tags.optional(),
  priority: priority.optional(),
  agent: id('defaults.agent').optional(),
  executor: id('defaults.executor').optional(),
});
export type DefaultsDecl = z.infer<typeof DefaultsSchema>;

/** One cron schedule, read from `"cron"`, or `{cron, timezone}`. */
const ScheduleEntrySchema = z.preprocess(
  (v) => (typeof v === 'string' ? { cron: v } : v),
  z.strictObject(
    {
      cron: z.string({ message: 'cron must be a string like "0 9 * * 1-5"' }).min(1, { message: 'cron must not be empty' }),
      timezone: z.string({ message: 'timezone must be an IANA time zone like "Europe/Paris"' }).optional(),
    },
    { message: 'a schedule must be a cron string or {cron, timezone}' },
  ),
);

/** `on:` what starts the workflow besides the CLI and the API. */
export const TriggersSchema = z.strictObject(
  {
    schedule: z.preprocess((v) => (typeof v === 'string' || (typeof v === 'object' && v !== null && !Array.isArray(v)) ? [v] : v), z.array(ScheduleEntrySchema, { message: 'schedule must be a cron string or a list of them' })).optional(),
  },
  { message: 'on must be an object like {schedule: "0 9 * * 1-5"}' },
);

/** The jobs form. */
export const JobsWorkflowFileSchema = z.strictObject({
  name: workflowName,
  description: text('description').optional(),
  inputs: z.record(z.string().regex(JOB_ID, { message: 'an input name must be letters, digits, "_" or "-", starting with a letter or "_"' }), InputSchema, { error: (issue) => (issue.code === 'invalid_type' ? 'inputs must be an object of name: {type, …}' : undefined) }).optional(),
  defaults: DefaultsSchema.optional(),
  budget: BudgetSchema.optional(),
  timeout: durationSeconds('timeout').optional(),
  on: TriggersSchema.optional(),
  jobs: z
    .record(z.string().regex(JOB_ID, { message: 'a job id must be letters, digits, "_" or "-", starting with a letter or "_"' }), JobSchema, { error: (issue) => (issue.code === 'invalid_type' ? 'jobs must be an object of id: job' : undefined) })
    .refine((jobs) => Object.keys(jobs).length > 0, { message: 'jobs must hold at least one job' }),
});
export type JobsWorkflowFile = z.infer<typeof JobsWorkflowFileSchema>;

/** Either form (for JSON Schema generation and type tests); checkers pick the form with workflowFileSchemaFor, for clearer errors. */
export const WorkflowFileSchema = z.union([SeedWorkflowFileSchema, JobsWorkflowFileSchema]);
export type WorkflowFile = { form: 'seed'; file: SeedWorkflowFile } | { form: 'jobs'; file: JobsWorkflowFile };

/** Which form a document is written in: the seed form has a top-level `workflow` key. Pure. */
export function workflowFormOf(document: unknown): 'seed' | 'jobs' {
  return typeof document === 'object' && document !== null && 'workflow' in document ? 'seed' : 'jobs';
}

/** The fields each object of the file may hold, by where it stands (for "did you mean" on an unknown field). */
export const WORKFLOW_FIELDS = {
  seedRoot: Object.keys(SeedWorkflowFileSchema.shape),
  seedWorkflow: ['name', 'description', 'steps'],
  seedStep: ['skill', 'action', 'params', 'depends_on', 'parallel'],
  jobsRoot: Object.keys(JobsWorkflowFileSchema.shape),
  job: Object.keys(JobSchema.shape),
  retry: Object.keys(RetrySchema.shape),
  strategy: Object.keys(StrategySchema.shape),
  defaults: Object.keys(DefaultsSchema.shape),
  input: ['type', 'description', 'required', 'default', 'options'],
  gate: ['question', 'options', 'details', 'urgency', 'timeout', 'on_timeout'],
  on: ['schedule'],
  schedule: ['cron', 'timezone'],
} as const;
