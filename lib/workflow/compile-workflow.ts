/**
 * Compile a schema-checked workflow file (either form, protocol/workflow-file.ts) into the one model,
 * WorkflowDef (lib/workflow/model.ts): defaults folded in, durations in seconds, needs resolved, jobs in a
 * stable topological order. Pure. It trusts the schema but not the graph: an unknown need stays in `needs`
 * as written and a cycle's jobs come last in file order, for lib/workflow/validate-workflow.ts to report.
 */
import type { DefaultsDecl, JobDecl, JobsWorkflowFile, RetryDecl, SeedStep, SeedWorkflowFile, WorkflowFile } from '../../protocol/workflow-file.js';
import { soleExpression } from './expressions.js';
import { NO_RETRY, type GateDef, type JobDef, type MatrixDef, type RetryDef, type SourcePosition, type WorkflowDef } from './model.js';
import type { DocumentPath } from './read-workflow-file.js';
import { topologicalOrder } from './topological-order.js';

/** Where each job was written, to point errors at it. */
export interface JobSource {
  /** The job's path in the document: `jobs.build`, `workflow.steps[1].parallel[0]`. */
  path: Array<string | number>;
  /** The path of its written needs list (`needs`, `depends_on`), null when its needs are implied by order. */
  needsPath: Array<string | number> | null;
  /** The names as written there (skill names in the seed form). */
  writtenNeeds: string[];
}

export interface CompiledWorkflow {
  def: WorkflowDef;
  sources: Map<string, JobSource>;
}

type Locate = (path: DocumentPath) => SourcePosition | null;
const nowhere: Locate = () => null;

/** Compile a checked file into the model. */
export function compileWorkflow(file: WorkflowFile, locate: Locate = nowhere): CompiledWorkflow {
  return file.form === 'seed' ? compileSeed(file.file, locate) : compileJobs(file.file, locate);
}

function baseJob(id: string, at: SourcePosition | null): JobDef {
  return {
    id,
    needs: [],
    if: null,
    kind: 'agent',
    agent: null,
    executor: null,
    run: null,
    gate: null,
    workflow: null,
    prompt: null,
    with: {},
    outputs: null,
    matrix: null,
    retry: { ...NO_RETRY },
    timeout_s: null,
    continue_on_error: false,
    tags: [],
    priority: 0,
    at,
  };
}

// ---- the seed form ---------------------------------------------------------------------------------------

function compileSeed(file: SeedWorkflowFile, locate: Locate): CompiledWorkflow {
  const sources = new Map<string, JobSource>();
  const jobs: JobDef[] = [];
  const used = new Map<string, number>();
  // Skill name → the job ids that run it, in order, to resolve depends_on.
  const bySkill = new Map<string, string[]>();
  const jobIdFor = (skill: string) => {
    const n = (used.get(skill) ?? 0) + 1;
    used.set(skill, n);
    let id = n === 1 ? skill : `${skill}-${n}`;
    while (sources.has(id)) id = `${id}-${n}`;
    bySkill.set(skill, [...(bySkill.get(skill) ?? []), id]);
    return id;
  };
  const pending: Array<{ job: JobDef; step: SeedStep; implied: string[] }> = [];
  let previous: string[] = [];
  file.workflow.steps.forEach((item, i) => {
    const itemPath = ['workflow', 'steps', i];
    const group = item.parallel !== undefined ? item.parallel.map((step, k) => ({ step, path: [...itemPath, 'parallel', k] })) : [{ step: item as SeedStep, path: itemPath }];
    const ids: string[] = [];
    for (const { step, path } of group) {
      const id = jobIdFor(step.skill);
      const job = baseJob(id, locate(path));
      job.agent = step.skill;
      job.prompt = step.action ?? null;
      job.with = step.params ?? {};
      jobs.push(job);
      sources.set(id, { path, needsPath: step.depends_on === undefined ? null : [...path, 'depends_on'], writtenNeeds: step.depends_on ?? [] });
      pending.push({ job, step, implied: previous });
      ids.push(id);
    }
    previous = ids;
  });
  // depends_on names skills: the latest job of that skill before the step, else its first one.
  const positions = new Map(jobs.map((j, i) => [j.id, i]));
  for (const { job, step, implied } of pending) {
    if (step.depends_on === undefined) {
      job.needs = [...implied];
      continue;
    }
    const position = positions.get(job.id)!;
    job.needs = unique(
      step.depends_on.map((skill) => {
        const ids = bySkill.get(skill);
        if (ids === undefined) return skill;
        const before = ids.filter((id) => positions.get(id)! < position);
        return before.at(-1) ?? ids[0]!;
      }),
    );
  }
  const def: WorkflowDef = {
    name: file.workflow.name,
    description: file.workflow.description ?? null,
    form: 'seed',
    inputs: {},
    defaults: {},
    budget: null,
    timeout_s: null,
    schedules: [],
    jobs: topologicalOrder(jobs),
  };
  return { def, sources };
}

// ---- the jobs form ---------------------------------------------------------------------------------------

function compileJobs(file: JobsWorkflowFile, locate: Locate): CompiledWorkflow {
  const sources = new Map<string, JobSource>();
  const defaults = file.defaults ?? {};
  const jobs = Object.entries(file.jobs).map(([id, decl]) => {
    const path = ['jobs', id];
    const needsField = decl.needs !== undefined ? 'needs' : decl.depends_on !== undefined ? 'depends_on' : null;
    const written = decl.needs ?? decl.depends_on ?? [];
    sources.set(id, { path, needsPath: needsField === null ? null : [...path, needsField], writtenNeeds: written });
    return compileJob(id, decl, defaults, locate(path));
  });
  const inputs = Object.fromEntries(
    Object.entries(file.inputs ?? {}).map(([name, input]) => [
      name,
      {
        type: input.type,
        description: input.description ?? null,
        required: input.required ?? false,
        ...(input.default !== undefined ? { default: input.default } : {}),
        options: input.options ?? null,
      },
    ]),
  );
  const def: WorkflowDef = {
    name: file.name,
    description: file.description ?? null,
    form: 'jobs',
    inputs,
    defaults: { ...defaults },
    budget: file.budget ?? null,
    timeout_s: file.timeout ?? null,
    schedules: (file.on?.schedule ?? []).map((s) => ({ cron: s.cron, timezone: s.timezone ?? null })),
    jobs: topologicalOrder(jobs),
  };
  return { def, sources };
}

function compileJob(id: string, decl: JobDecl, defaults: DefaultsDecl, at: SourcePosition | null): JobDef {
  const job = baseJob(id, at);
  job.needs = unique(decl.needs ?? decl.depends_on ?? []);
  if (decl.if !== undefined) job.if = typeof decl.if === 'boolean' ? String(decl.if) : (soleExpression(decl.if) ?? decl.if.trim());
  if (decl.run !== undefined) {
    job.kind = 'run';
    job.run = decl.run;
  } else if (decl.gate !== undefined) {
    job.kind = 'gate';
    job.gate = compileGate(decl.gate);
  } else if (decl.workflow !== undefined) {
    job.kind = 'workflow';
    job.workflow = decl.workflow;
  } else {
    job.kind = 'agent';
    // A job that names neither takes both defaults; one that names one keeps the other's default too (agent + executor override).
    job.agent = decl.agent ?? defaults.agent ?? null;
    job.executor = decl.executor ?? defaults.executor ?? null;
  }
  job.prompt = decl.prompt ?? null;
  job.with = decl.with ?? {};
  job.outputs = decl.outputs ?? null;
  job.matrix = decl.strategy === undefined ? null : compileMatrix(decl.strategy.matrix, decl.strategy['max-parallel'], decl.strategy['fail-fast']);
  job.retry = compileRetry(defaults.retry, decl.retry);
  job.timeout_s = decl.timeout ?? defaults.timeout ?? null;
  job.continue_on_error = decl['continue-on-error'] ?? false;
  job.tags = unique([...(defaults.tags ?? []), ...(decl.tags ?? [])]);
  job.priority = decl.priority ?? defaults.priority ?? 0;
  return job;
}

function compileGate(gate: NonNullable<JobDecl['gate']>): GateDef {
  return {
    question: gate.question,
    options: gate.options ?? null,
    details: gate.details ?? null,
    urgency: gate.urgency ?? 'normal',
    timeout_s: gate.timeout ?? null,
    on_timeout: gate.options === undefined ? (gate.on_timeout ?? 'deny') : (gate.on_timeout ?? null),
  };
}

/** The job's retry over the defaults' retry over none, field by field. */
function compileRetry(defaults: RetryDecl | undefined, own: RetryDecl | undefined): RetryDef {
  const pick = <K extends keyof RetryDecl>(key: K) => own?.[key] ?? defaults?.[key];
  return {
    max: pick('max') ?? NO_RETRY.max,
    backoff: pick('backoff') ?? NO_RETRY.backoff,
    initial_s: pick('initial') ?? NO_RETRY.initial_s,
    max_delay_s: pick('max_delay') ?? NO_RETRY.max_delay_s,
  };
}

/** `strategy.matrix` → axes (lists, or expression strings), include, exclude. Values are checked by the validator. */
function compileMatrix(matrix: Record<string, unknown>, maxParallel: number | undefined, failFast: boolean | undefined): MatrixDef {
  const axes: Record<string, unknown[] | string> = {};
  for (const [key, value] of Object.entries(matrix)) {
    if (key === 'include' || key === 'exclude') continue;
    axes[key] = Array.isArray(value) ? value : typeof value === 'string' ? value : [value];
  }
  const list = (v: unknown) => (Array.isArray(v) ? (v.filter((e) => typeof e === 'object' && e !== null && !Array.isArray(e)) as Record<string, unknown>[]) : []);
  return { axes, include: list(matrix.include), exclude: list(matrix.exclude), max_parallel: maxParallel ?? null, fail_fast: failFast ?? true };
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
