/**
 * Matrix expansion as GitHub Actions does it: the cartesian product of the axes (in key order, the last
 * axis varying fastest), minus the combinations an `exclude` entry matches, then each `include` entry
 * either extends every combination whose original values it does not contradict or, when it extends none,
 * is added as a combination of its own.
 */
import { MAX_MATRIX_INSTANCES } from '../../protocol/workflows.js';
import { interpolate, interpolateDeep, type ExpressionContext } from './expressions.js';
import type { MatrixDef } from './model.js';

export type MatrixInstance = Record<string, unknown>;

/** A matrix that cannot expand: an axis that is not a list, an include/exclude that is not a list of objects, too many instances. */
export class MatrixProblem extends Error {
  constructor(
    message: string,
    /** Where in the matrix (`os`, `include[2]`), when one part is to blame. */
    readonly path: ReadonlyArray<string | number> = [],
  ) {
    super(message);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep equality of JSON values (matrix values may be objects). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Expand a matrix whose axes are already lists (expressions evaluated) into its instances.
 * @throws MatrixProblem for a non-list or empty axis, a bad include/exclude, or more than `max` instances.
 */
export function expandMatrix(
  axes: Record<string, unknown>,
  include: unknown = [],
  exclude: unknown = [],
  max: number = MAX_MATRIX_INSTANCES,
): MatrixInstance[] {
  const includes = objectList(include, 'include');
  const excludes = objectList(exclude, 'exclude');
  const keys = Object.keys(axes);
  let size = 1;
  for (const key of keys) {
    const values = axes[key];
    if (!Array.isArray(values)) throw new MatrixProblem(`matrix axis "${key}" must be a list of values (it is ${values === null ? 'null' : typeof values})`, [key]);
    if (values.length === 0) throw new MatrixProblem(`matrix axis "${key}" is an empty list: the job would never run`, [key]);
    size *= values.length;
    if (size > max) throw new MatrixProblem(`the matrix expands to more than ${max} instances`);
  }
  let combos: MatrixInstance[] = keys.length === 0 ? [] : [{}];
  for (const key of keys) {
    const next: MatrixInstance[] = [];
    for (const combo of combos) for (const value of axes[key] as unknown[]) next.push({ ...combo, [key]: value });
    combos = next;
  }
  combos = combos.filter((combo) => !excludes.some((ex) => Object.entries(ex).every(([k, v]) => k in combo && sameValue(combo[k], v))));
  const originals = combos.map((c) => ({ ...c }));
  const added: MatrixInstance[] = [];
  for (const inc of includes) {
    let extended = false;
    combos.forEach((combo, i) => {
      const original = originals[i]!;
      // An include may not overwrite an axis value the combination started with; it may add keys or overwrite added ones.
      if (Object.entries(inc).every(([k, v]) => !(k in original) || sameValue(original[k], v))) {
        Object.assign(combo, inc);
        extended = true;
      }
    });
    if (!extended) added.push({ ...inc });
  }
  const all = [...combos, ...added];
  if (all.length > max) throw new MatrixProblem(`the matrix expands to more than ${max} instances`);
  return all;
}

function objectList(value: unknown, name: 'include' | 'exclude'): Record<string, unknown>[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new MatrixProblem(`matrix ${name} must be a list of objects`, [name]);
  value.forEach((entry, i) => {
    if (!isObject(entry)) throw new MatrixProblem(`matrix ${name}[${i}] must be an object of axis: value`, [name, i]);
  });
  return value as Record<string, unknown>[];
}

/**
 * The instances of a job's matrix when the job is ready: expression axes evaluated over `context`
 * (`inputs`, `jobs`), string values interpolated, then expanded.
 * @throws MatrixProblem (an axis that is no list, too many instances) or ExpressionProblem.
 */
export function expandJobMatrix(matrix: MatrixDef, context: ExpressionContext, max: number = MAX_MATRIX_INSTANCES): MatrixInstance[] {
  const axes: Record<string, unknown> = {};
  for (const [key, values] of Object.entries(matrix.axes)) axes[key] = typeof values === 'string' ? interpolate(values, context) : interpolateDeep(values, context);
  return expandMatrix(axes, interpolateDeep(matrix.include, context), interpolateDeep(matrix.exclude, context), max);
}

/** The key of one task of a job: `build[3]` for matrix instance 3, `build` for a job without a matrix. */
export function taskKey(jobId: string, index: number | null): string {
  return index === null ? jobId : `${jobId}[${index}]`;
}
