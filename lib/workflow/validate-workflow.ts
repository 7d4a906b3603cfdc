/**
 * The one validator of workflow files, for `workflow validate`, the coordinator's workflows folder and the
 * API: text → the compiled model, or every issue found, each with its path in the file and line:column.
 * Pure (the caller reads the file and says which names the coordinator knows).
 */
import type { z } from 'zod';
import { didYouMean } from '../../protocol/did-you-mean.js';
import { formatPath } from '../../protocol/field-issues.js';
import { BudgetSchema } from '../../protocol/tree.js';
import { JobsWorkflowFileSchema, SeedWorkflowFileSchema, WORKFLOW_FIELDS, workflowFormOf, type WorkflowFile } from '../../protocol/workflow-file.js';
import { MAX_WORKFLOW_JOBS } from '../../protocol/workflows.js';
import { checkJobExpressions, type ExpressionScope } from './check-job-expressions.js';
import { checkJobsFormFields, checkKnownNames, checkMatrix, checkSchedules, type KnownNames } from './check-job-fields.js';
import { Ancestry, checkJobGraph, type PathIssue } from './check-job-graph.js';
import { compileWorkflow } from './compile-workflow.js';
import type { WorkflowDef } from './model.js';
import { readWorkflowFile, type DocumentPath } from './read-workflow-file.js';

/** One problem of a workflow file: its path in the document (`jobs.build.needs[1]`, `(root)`), why, and where. */
export interface WorkflowIssue {
  path: string;
  message: string;
  line: number | null;
  col: number | null;
}

export interface ValidateOptions {
  /** The file's name, for messages (not read). */
  file?: string;
  /** Names the coordinator knows; each set given is checked. */
  known?: KnownNames;
}

export interface ValidationResult {
  /** The compiled workflow, or null when any issue was found. */
  def: WorkflowDef | null;
  issues: WorkflowIssue[];
}

/** Validate a workflow file's text: parse, check against the schema of its form, compile, check the graph, fields and expressions. */
export function validateWorkflow(text: string, options: ValidateOptions = {}): ValidationResult {
  const read = readWorkflowFile(text);
  if (!read.ok) return { def: null, issues: read.issues.map((i) => ({ path: '(root)', ...i })) };
  return validateWorkflowDocument(read.document, read.locate, options);
}

/** Validate an already parsed document (`locate` maps paths to line:column; the API passes one that knows none). */
export function validateWorkflowDocument(document: Record<string, unknown>, locate: (path: DocumentPath) => { line: number; col: number } | null, options: ValidateOptions = {}): ValidationResult {
  const place = (issues: PathIssue[]): WorkflowIssue[] =>
    issues
      .map((issue) => {
        const at = locate(issue.path);
        return { path: formatPath(issue.path), message: issue.message, line: at?.line ?? null, col: at?.col ?? null };
      })
      .sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || (a.col ?? 0) - (b.col ?? 0));
  const form = workflowFormOf(document);
  let file: WorkflowFile;
  if (form === 'seed') {
    const steps = seedStepCount(document);
    if (steps > MAX_WORKFLOW_JOBS) return { def: null, issues: place([{ path: ['workflow', 'steps'], message: `${steps} steps: a workflow may have at most ${MAX_WORKFLOW_JOBS}` }]) };
    const parsed = SeedWorkflowFileSchema.safeParse(document);
    if (!parsed.success) return { def: null, issues: place(schemaIssues(parsed.error, form)) };
    file = { form, file: parsed.data };
  } else {
    const count = typeof document.jobs === 'object' && document.jobs !== null ? Object.keys(document.jobs).length : 0;
    if (count > MAX_WORKFLOW_JOBS) return { def: null, issues: place([{ path: ['jobs'], message: `${count} jobs: a workflow may have at most ${MAX_WORKFLOW_JOBS}` }]) };
    const parsed = JobsWorkflowFileSchema.safeParse(document);
    if (!parsed.success) return { def: null, issues: place(schemaIssues(parsed.error, form)) };
    file = { form, file: parsed.data };
  }
  const { def, sources } = compileWorkflow(file, locate);
  const issues: PathIssue[] = [];
  if (file.form === 'jobs') issues.push(...checkJobsFormFields(file.file));
  issues.push(...checkJobGraph(def, sources));
  issues.push(...checkKnownNames(def, sources, options.known ?? {}));
  issues.push(...checkSchedules(def));
  let ancestry: Ancestry | undefined;
  const scope: ExpressionScope = { def, byId: new Map(def.jobs.map((j) => [j.id, j])), ancestry: () => (ancestry ??= new Ancestry(def)) };
  for (const job of def.jobs) {
    const source = sources.get(job.id)!;
    if (file.form === 'jobs' && job.matrix !== null) issues.push(...checkMatrix(job, source.path, file.file.jobs[job.id]!.strategy!.matrix));
    issues.push(...checkJobExpressions(job, source, scope));
  }
  return issues.length === 0 ? { def, issues: [] } : { def: null, issues: place(issues) };
}

/** How many steps a seed-form document holds, counting each step of a parallel group (before any schema: a huge list is refused first). */
function seedStepCount(document: Record<string, unknown>): number {
  const workflow = document.workflow;
  const steps = typeof workflow === 'object' && workflow !== null ? (workflow as Record<string, unknown>).steps : undefined;
  if (!Array.isArray(steps)) return 0;
  return steps.reduce((n: number, item: unknown) => {
    const group = typeof item === 'object' && item !== null ? (item as Record<string, unknown>).parallel : undefined;
    return n + (Array.isArray(group) ? group.length : 1);
  }, 0);
}

/** Zod's issues as path issues: an unknown field named at its own key, with a suggestion. */
function schemaIssues(error: z.ZodError, form: 'seed' | 'jobs'): PathIssue[] {
  return error.issues.flatMap((issue): PathIssue[] => {
    const path = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const fields = fieldsAt(path, form);
      return issue.keys.map((key) => ({ path: [...path, key], message: `unknown field "${key}"${fields.length > 0 ? didYouMean(key, fields) : ''}` }));
    }
    // A bad key of a record (a job id, an input name): the key's own message.
    if (issue.code === 'invalid_key') return [{ path, message: issue.issues[0]?.message ?? issue.message }];
    return [{ path, message: issue.message }];
  });
}

/** The fields the object at `path` may hold, for suggestions. */
function fieldsAt(path: ReadonlyArray<string | number>, form: 'seed' | 'jobs'): readonly string[] {
  const p = path.map((k) => (typeof k === 'number' ? '#' : k));
  const shape = p.join('.');
  if (form === 'seed') {
    if (shape === '') return WORKFLOW_FIELDS.seedRoot;
    if (shape === 'workflow') return WORKFLOW_FIELDS.seedWorkflow;
    return WORKFLOW_FIELDS.seedStep;
  }
  if (shape === '') return WORKFLOW_FIELDS.jobsRoot;
  if (shape === 'defaults') return WORKFLOW_FIELDS.defaults;
  if (shape === 'budget') return Object.keys(BudgetSchema.shape);
  if (shape === 'on') return WORKFLOW_FIELDS.on;
  if (/^on\.schedule\.#$/.test(shape)) return WORKFLOW_FIELDS.schedule;
  if (/^defaults\.retry$|^jobs\.[^.]+\.retry$/.test(shape)) return WORKFLOW_FIELDS.retry;
  if (p[0] === 'inputs' && p.length === 2) return WORKFLOW_FIELDS.input;
  if (p[0] === 'jobs' && p.length === 2) return WORKFLOW_FIELDS.job;
  if (p[0] === 'jobs' && p[2] === 'strategy') return WORKFLOW_FIELDS.strategy;
  if (p[0] === 'jobs' && p[2] === 'gate') return WORKFLOW_FIELDS.gate;
  return [];
}
