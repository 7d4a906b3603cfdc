/**
 * The one model both workflow file forms compile to: a DAG of jobs (lib/workflow/compile-workflow.ts makes
 * it, the coordinator's engine runs it). It is plain JSON, so a workflow run keeps the definition it started
 * with (`workflow_runs.definition`) and a resume runs the same graph even if the file changed since.
 *
 * Expressions are kept as their source text (`${{ … }}` included where a string interpolates them);
 * lib/workflow/expressions.ts evaluates them.
 */
import type { Budget } from '../../protocol/tree.js';

/** One `inputs:` entry of a workflow. */
export interface WorkflowInputDef {
  type: 'string' | 'number' | 'boolean' | 'choice' | 'json';
  description: string | null;
  required: boolean;
  /** The value when the caller gives none (already of `type`); undefined: none. */
  default?: unknown;
  /** For `choice`: the values allowed. */
  options: string[] | null;
}

/** How a job's failed attempts are retried (any failure, not only infrastructure ones). */
export interface RetryDef {
  /** Retries after the first attempt (0: none). */
  max: number;
  backoff: 'exponential' | 'linear' | 'fixed';
  /** Delay before the first retry, in seconds. */
  initial_s: number;
  /** Cap on any one delay, in seconds. */
  max_delay_s: number;
}

/** A matrix: each key a list of values (or an expression giving one); include/exclude as GitHub Actions has them. */
export interface MatrixDef {
  /** Key → a list of values, or an expression (`${{ fromJSON(jobs.plan.outputs.files) }}`) evaluated when the job is ready. */
  axes: Record<string, unknown[] | string>;
  include: Record<string, unknown>[];
  exclude: Record<string, unknown>[];
  /** At most this many instances in flight at once (null: no limit). */
  max_parallel: number | null;
  /** A failed instance cancels its siblings still waiting or in flight (default true, as in GitHub Actions). */
  fail_fast: boolean;
}

/** What a gate asks people (a question from the human-in-the-loop API); its answer is the job's output. */
export interface GateDef {
  question: string;
  /** Choices; null: an approval (allow / deny; deny fails the job). */
  options: string[] | null;
  details: string | null;
  urgency: 'low' | 'normal' | 'high';
  timeout_s: number | null;
  /** For an approval: what a timeout decides (default deny). */
  on_timeout: 'allow' | 'deny' | null;
}

/** Where in the source file something was written: 1-based line and column (null for generated parts). */
export interface SourcePosition {
  line: number;
  col: number;
}

export type JobKind = 'agent' | 'run' | 'gate' | 'workflow';

export interface JobDef {
  /** Unique within the workflow: the `jobs:` key, or in the seed form the step's skill (suffixed `-2`, `-3` when repeated). */
  id: string;
  /** Jobs that must conclude first (ids). */
  needs: string[];
  /**
   * The condition (expression source, without `${{ }}`); null: `success()`, i.e. run only when every job
   * it needs succeeded (or failed with continue-on-error).
   */
  if: string | null;
  kind: JobKind;
  /** kind agent: the agent (blueprint name) and/or executor. */
  agent: string | null;
  executor: string | null;
  /** kind run: the shell command (may interpolate `${{ }}`). */
  run: string | null;
  /** kind gate. */
  gate: GateDef | null;
  /** kind workflow: the nested workflow's name (from the coordinator's workflows folder). */
  workflow: string | null;
  /** The agent's prompt (may interpolate `${{ }}`); for the seed form, the step's `action`. */
  prompt: string | null;
  /** Structured inputs (values may interpolate `${{ }}`): the agent's `metadata.inputs`; a nested workflow's inputs. */
  with: Record<string, unknown>;
  /** Declared outputs: name → expression over this job's own result (`result`, `data`, `exit_code`, `stdout`); null: every result_data field, and `result`. */
  outputs: Record<string, string> | null;
  matrix: MatrixDef | null;
  retry: RetryDef;
  /** Each attempt's timeout in seconds (its run's timeout); null: the agent's or the runner's. */
  timeout_s: number | null;
  continue_on_error: boolean;
  tags: string[];
  priority: number;
  /** Where the job is written in its file (for errors and the graph). */
  at: SourcePosition | null;
}

export interface WorkflowDef {
  name: string;
  description: string | null;
  /** Which surface form it was written in. */
  form: 'seed' | 'jobs';
  inputs: Record<string, WorkflowInputDef>;
  /** Defaults applied to every job (already folded into each JobDef; kept for display). */
  defaults: Record<string, unknown>;
  /** The tree budget of each run of the workflow (its root session's budget). */
  budget: Budget | null;
  /** The whole workflow run's timeout in seconds; null: none. */
  timeout_s: number | null;
  /** Cron schedules (`on: {schedule: …}`), each five or six fields, with an optional IANA time zone (default UTC). */
  schedules: { cron: string; timezone: string | null }[];
  /** Jobs in a topological order (every job after the jobs it needs). */
  jobs: JobDef[];
}

/** Default retry: none. */
export const NO_RETRY: RetryDef = { max: 0, backoff: 'exponential', initial_s: 1, max_delay_s: 60 };
