/**
 * The expression checks of one compiled job: every `${{ }}` of its `if`, prompt, command, `with`, gate,
 * matrix and outputs parses, names only the contexts that field has, reads only declared inputs, matrix
 * keys the job has, and jobs it (transitively) needs. Pure.
 */
import { didYouMean } from '../../protocol/did-you-mean.js';
import type { Ancestry, PathIssue } from './check-job-graph.js';
import type { JobSource } from './compile-workflow.js';
import { JOB_CONTEXTS, OUTPUT_CONTEXTS, parseExpression, soleExpression, templateParts, type ContextReference, type ExpressionContextName } from './expressions.js';
import type { JobDef, WorkflowDef } from './model.js';

type Path = Array<string | number>;

/** What every job's check shares: the workflow, its jobs by id, memoized ancestors. */
export interface ExpressionScope {
  def: WorkflowDef;
  byId: ReadonlyMap<string, JobDef>;
  /** Which job waits for which (built on first use: only `jobs.X` references need it). */
  ancestry: () => Ancestry;
}

const JOB_FIELDS = ['result', 'outcome', 'outputs'];

/** Check every expression of `job`; `source` says where it is written. */
export function checkJobExpressions(job: JobDef, source: JobSource, scope: ExpressionScope): PathIssue[] {
  const issues: PathIssue[] = [];
  const base = source.path;
  const seed = scope.def.form === 'seed';
  const field = (name: string): Path => [...base, seed ? ({ prompt: 'action', with: 'params' }[name] ?? name) : name];
  const check = (text: string, path: Path, contexts: readonly ExpressionContextName[], opts: { condition?: boolean; inMatrix?: boolean } = {}) =>
    checkText(text, path, contexts, opts.condition ?? false, opts.inMatrix ?? false, job, scope, issues);

  if (job.if !== null) check(job.if, field('if'), JOB_CONTEXTS, { condition: true });
  if (job.prompt !== null) check(job.prompt, field('prompt'), JOB_CONTEXTS);
  if (job.run !== null) check(job.run, field('run'), JOB_CONTEXTS);
  if (job.gate !== null) {
    check(job.gate.question, [...field('gate'), 'question'], JOB_CONTEXTS);
    if (job.gate.details !== null) check(job.gate.details, [...field('gate'), 'details'], JOB_CONTEXTS);
  }
  walkStrings(job.with, field('with'), (text, path) => check(text, path, JOB_CONTEXTS));
  for (const [name, text] of Object.entries(job.outputs ?? {})) check(text, [...field('outputs'), name], OUTPUT_CONTEXTS);
  if (job.matrix !== null) {
    const matrixPath = [...field('strategy'), 'matrix'];
    for (const [axis, values] of Object.entries(job.matrix.axes)) {
      if (typeof values === 'string') check(values, [...matrixPath, axis], ['inputs', 'jobs'], { inMatrix: true });
      else walkStrings(values, [...matrixPath, axis], (text, path) => check(text, path, ['inputs', 'jobs'], { inMatrix: true }));
    }
    for (const name of ['include', 'exclude'] as const) {
      walkStrings(job.matrix[name], [...matrixPath, name], (text, path) => check(text, path, ['inputs', 'jobs'], { inMatrix: true }));
    }
  }
  return issues;
}

/** Call `visit` on every string inside a JSON value, with its path. */
function walkStrings(value: unknown, path: Path, visit: (text: string, path: Path) => void): void {
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) value.forEach((v, i) => walkStrings(v, [...path, i], visit));
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) walkStrings(v, [...path, k], visit);
}

function checkText(
  text: string,
  path: Path,
  contexts: readonly ExpressionContextName[],
  condition: boolean,
  inMatrix: boolean,
  job: JobDef,
  scope: ExpressionScope,
  issues: PathIssue[],
): void {
  const split = templateParts(text);
  if (!split.ok) {
    issues.push({ path, message: split.message });
    return;
  }
  let sources: string[];
  if (condition) {
    const hasTemplate = split.parts.some((p) => p.kind === 'expression');
    const sole = soleExpression(text);
    if (hasTemplate && sole === null) {
      issues.push({ path, message: 'mixes ${{ }} with other text, which makes it a string that is always true: put the whole condition in one ${{ }}, or none' });
      return;
    }
    sources = [sole ?? text];
  } else {
    sources = split.parts.flatMap((p) => (p.kind === 'expression' ? [p.source] : []));
  }
  for (const source of sources) {
    const parsed = parseExpression(source);
    if (!parsed.ok) {
      issues.push({ path, message: `\${{ ${clip(source)} }}: ${parsed.message}` });
      continue;
    }
    const fail = (message: string) => issues.push({ path, message: `\${{ ${clip(source)} }}: ${message}` });
    if (!condition) for (const fn of parsed.expression.statusFunctions) fail(`${fn}() is only for if:`);
    for (const ref of parsed.expression.references) {
      const problem = referenceProblem(ref, contexts, inMatrix, job, scope);
      if (problem !== null) fail(problem);
    }
  }
}

function referenceProblem(ref: ContextReference, contexts: readonly ExpressionContextName[], inMatrix: boolean, job: JobDef, scope: ExpressionScope): string | null {
  const { def } = scope;
  if (!(contexts as readonly string[]).includes(ref.context)) {
    if (ref.context === 'matrix' && inMatrix) return 'a matrix cannot read matrix (it is what the matrix makes)';
    return `${ref.context} is not available here (use ${contexts.join(', ')})`;
  }
  const [first, second] = ref.keys;
  if (first === undefined) return null;
  switch (ref.context) {
    case 'inputs': {
      const declared = Object.keys(def.inputs);
      if (declared.includes(first)) return null;
      return declared.length === 0 ? `inputs.${first}: the workflow declares no inputs` : `unknown input "${first}"${didYouMean(first, declared)}`;
    }
    case 'matrix': {
      if (job.matrix === null) return `matrix.${first}: job "${job.id}" has no strategy.matrix`;
      const keys = new Set([...Object.keys(job.matrix.axes), ...job.matrix.include.flatMap((inc) => Object.keys(inc))]);
      return keys.has(first) ? null : `unknown matrix key "${first}"${didYouMean(first, keys)}`;
    }
    case 'jobs': {
      if (!scope.byId.has(first)) return `unknown job "${first}"${didYouMean(first, scope.byId.keys())}`;
      if (first === job.id) return `job "${job.id}" cannot read its own result (its outputs: read result, data, exit_code, stdout there)`;
      if (!scope.ancestry().waitsFor(job.id, first)) return `jobs.${first} is read but "${first}" is not among the jobs "${job.id}" needs (add it to needs)`;
      if (second !== undefined && !JOB_FIELDS.includes(second)) return `jobs.${first}.${second}: a job has ${JOB_FIELDS.join(', ')}${didYouMean(second, JOB_FIELDS)}`;
      if (second === 'outputs' && ref.keys[2] !== undefined) {
        const declared = scope.byId.get(first)!.outputs;
        const name = ref.keys[2];
        if (declared !== null && !(name in declared)) return `job "${first}" declares no output "${name}"${didYouMean(name, Object.keys(declared))}`;
      }
      return null;
    }
    default:
      return null;
  }
}

const clip = (source: string) => (source.length > 60 ? `${source.slice(0, 57)}...` : source);
