/**
 * The field checks of a workflow a schema cannot make: what each job runs (exactly one kind, fields that
 * fit it, names the coordinator knows), its matrix's sources, and the schedules' cron and time zones. Pure.
 */
import { CronExpressionParser } from 'cron-parser';
import { didYouMean } from '../../protocol/did-you-mean.js';
import { JOB_KIND_FIELDS, type JobDecl, type JobsWorkflowFile } from '../../protocol/workflow-file.js';
import { MAX_MATRIX_INSTANCES } from '../../protocol/workflows.js';
import type { PathIssue } from './check-job-graph.js';
import type { JobSource } from './compile-workflow.js';
import { soleExpression } from './expressions.js';
import { expandMatrix, MatrixProblem } from './matrix.js';
import type { JobDef, WorkflowDef } from './model.js';

/** Names the coordinator knows; a set given is checked, an absent one is not. */
export interface KnownNames {
  agents?: ReadonlySet<string>;
  executors?: ReadonlySet<string>;
  workflows?: ReadonlySet<string>;
}

/** The jobs form's own checks of each job as written: one kind, needs and depends_on not both, fields that fit the kind. */
export function checkJobsFormFields(file: JobsWorkflowFile): PathIssue[] {
  const issues: PathIssue[] = [];
  const defaults = file.defaults ?? {};
  for (const [id, job] of Object.entries(file.jobs)) {
    const at = (...rest: Array<string | number>) => ['jobs', id, ...rest];
    if (job.needs !== undefined && job.depends_on !== undefined) issues.push({ path: at('depends_on'), message: 'give needs or depends_on (its alias), not both' });
    const kinds = kindsOf(job);
    if (kinds.length > 1) issues.push({ path: at(kinds[1]!), message: `a job runs one thing: it names ${kinds.join(' and ')}` });
    if (kinds.length === 0 && defaults.agent === undefined && defaults.executor === undefined) {
      issues.push({ path: at(), message: 'names nothing to run: give one of agent (and/or executor), run, gate, workflow' });
    }
    const kind = kinds[0] ?? 'agent';
    if (job.prompt !== undefined && kind !== 'agent') issues.push({ path: at('prompt'), message: `prompt is for agent jobs (this job is a ${kind} job)` });
    if (job.with !== undefined && (kind === 'run' || kind === 'gate')) issues.push({ path: at('with'), message: `with is for agent and workflow jobs (this job is a ${kind} job)` });
    if (job.gate?.on_timeout !== undefined && job.gate.options !== undefined) issues.push({ path: at('gate', 'on_timeout'), message: 'on_timeout is for approvals (a gate without options)' });
    if (job.workflow !== undefined && job.workflow === file.name) issues.push({ path: at('workflow'), message: `workflow "${file.name}" cannot run itself` });
  }
  return issues;
}

function kindsOf(job: JobDecl): string[] {
  const named = JOB_KIND_FIELDS.filter((f) => job[f] !== undefined);
  // agent + executor together are one agent run (the executor overrides the agent's); an executor alone is an agent run too.
  return named.filter((f) => !(f === 'executor' && named.includes('agent'))).map((f) => (f === 'executor' ? 'agent' : f));
}

/** Agents, executors and nested workflows the coordinator does not know, when the caller gives the sets. */
export function checkKnownNames(def: WorkflowDef, sources: ReadonlyMap<string, JobSource>, known: KnownNames): PathIssue[] {
  const issues: PathIssue[] = [];
  for (const job of def.jobs) {
    const base = sources.get(job.id)?.path ?? [];
    const check = (name: string | null, set: ReadonlySet<string> | undefined, what: string, field: string) => {
      if (name === null || set === undefined || set.has(name)) return;
      issues.push({ path: [...base, field], message: `unknown ${what} "${name}"${didYouMean(name, set)}` });
    };
    check(job.agent, known.agents, 'agent', def.form === 'seed' ? 'skill' : 'agent');
    check(job.executor, known.executors, 'executor', 'executor');
    check(job.workflow, known.workflows, 'workflow', 'workflow');
  }
  return issues;
}

/**
 * A matrix's sources: each axis a non-empty list or one `${{ }}` expression, include/exclude lists of
 * objects, at least one axis or include, and (when every axis is a list) at most MAX_MATRIX_INSTANCES.
 */
export function checkMatrix(job: JobDef, base: Array<string | number>, written: Record<string, unknown>): PathIssue[] {
  const issues: PathIssue[] = [];
  const path = [...base, 'strategy', 'matrix'];
  const axes: Record<string, unknown> = {};
  let dynamic = false;
  for (const [key, value] of Object.entries(written)) {
    if (key === 'include' || key === 'exclude') continue;
    if (typeof value === 'string') {
      if (soleExpression(value) === null) issues.push({ path: [...path, key], message: `matrix axis "${key}" must be a list of values or one \${{ }} expression giving a list` });
      dynamic = true;
    } else if (!Array.isArray(value)) {
      issues.push({ path: [...path, key], message: `matrix axis "${key}" must be a list of values or one \${{ }} expression giving a list` });
    } else if (value.length === 0) {
      issues.push({ path: [...path, key], message: `matrix axis "${key}" is an empty list: the job would never run` });
    } else axes[key] = value;
  }
  for (const name of ['include', 'exclude'] as const) {
    const list = written[name];
    if (list === undefined) continue;
    if (!Array.isArray(list)) issues.push({ path: [...path, name], message: `matrix ${name} must be a list of objects` });
    else list.forEach((entry, i) => typeof entry === 'object' && entry !== null && !Array.isArray(entry) ? undefined : issues.push({ path: [...path, name, i], message: `matrix ${name}[${i}] must be an object of axis: value` }));
  }
  const hasInclude = Array.isArray(written.include) && written.include.length > 0;
  if (Object.keys(job.matrix?.axes ?? {}).length === 0 && !hasInclude) issues.push({ path, message: 'a matrix needs at least one axis (or include)' });
  if (issues.length === 0 && !dynamic) {
    try {
      expandMatrix(axes, written.include, written.exclude, MAX_MATRIX_INSTANCES);
    } catch (error) {
      if (!(error instanceof MatrixProblem)) throw error;
      issues.push({ path: [...path, ...error.path], message: error.message });
    }
  }
  return issues;
}

/** Each schedule's cron (five or six fields) and IANA time zone. */
export function checkSchedules(def: WorkflowDef): PathIssue[] {
  const issues: PathIssue[] = [];
  def.schedules.forEach((schedule, i) => {
    const at = ['on', 'schedule', i];
    let zoneOk = true;
    if (schedule.timezone !== null) {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: schedule.timezone });
      } catch {
        zoneOk = false;
        issues.push({ path: [...at, 'timezone'], message: `unknown time zone "${schedule.timezone}" (use an IANA name like "Europe/Paris" or "UTC")` });
      }
    }
    const fields = schedule.cron.trim().split(/\s+/).length;
    if (fields < 5 || fields > 6) {
      issues.push({ path: [...at, 'cron'], message: `"${schedule.cron}" has ${fields} fields; a cron has five (minute hour day month weekday) or six (seconds first)` });
      return;
    }
    try {
      CronExpressionParser.parse(schedule.cron, zoneOk && schedule.timezone !== null ? { tz: schedule.timezone } : { tz: 'UTC' });
    } catch (error) {
      issues.push({ path: [...at, 'cron'], message: `"${schedule.cron}" is not a valid cron: ${(error as Error).message}` });
    }
  });
  return issues;
}
