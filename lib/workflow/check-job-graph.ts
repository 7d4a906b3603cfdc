/**
 * The graph checks of a compiled workflow: every need names a job, no job needs itself, no cycles (each
 * named, `a → b → a`). Pure; issues carry document paths for lib/workflow/validate-workflow.ts to place.
 */
import { didYouMean } from '../../protocol/did-you-mean.js';
import type { JobSource } from './compile-workflow.js';
import type { WorkflowDef } from './model.js';

/** A problem found in the document: where (a path into it) and why. */
export interface PathIssue {
  path: Array<string | number>;
  message: string;
}

/** Most cycles named in one report (a file with hundreds is one mistake repeated). */
const MAX_CYCLES_REPORTED = 10;

/** Unknown and self needs, and cycles. */
export function checkJobGraph(def: WorkflowDef, sources: ReadonlyMap<string, JobSource>): PathIssue[] {
  const issues: PathIssue[] = [];
  const ids = new Set(def.jobs.map((j) => j.id));
  const skills = def.form === 'seed' ? new Set(def.jobs.map((j) => j.agent ?? j.id)) : ids;
  for (const [id, source] of sources) {
    if (source.needsPath === null) continue;
    source.writtenNeeds.forEach((name, i) => {
      const at = [...source.needsPath!, i];
      if (def.form === 'seed') {
        if (!skills.has(name)) issues.push({ path: at, message: `unknown skill "${name}": no step runs it${didYouMean(name, skills)}` });
      } else if (name === id) {
        issues.push({ path: at, message: `job "${id}" cannot need itself` });
      } else if (!ids.has(name)) {
        issues.push({ path: at, message: `unknown job "${name}"${didYouMean(name, ids)}` });
      }
    });
  }
  for (const cycle of findCycles(def).slice(0, MAX_CYCLES_REPORTED)) {
    const first = sources.get(cycle[0]!);
    const needsPath = first?.needsPath ?? first?.path ?? [];
    issues.push({ path: [...needsPath], message: `cycle: ${cycle.join(' → ')} (a job cannot wait for itself)` });
  }
  return issues;
}

/** Each cycle once, as the ids along it, first id repeated at the end (`[a, b, a]`: a needs b, b needs a). Iterative DFS. */
export function findCycles(def: WorkflowDef): string[][] {
  const needs = new Map(def.jobs.map((j) => [j.id, j.needs.filter((n) => n !== j.id)]));
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[][] = [];
  for (const start of needs.keys()) {
    if (state.has(start)) continue;
    const stack: Array<{ id: string; next: number }> = [{ id: start, next: 0 }];
    state.set(start, 'open');
    while (stack.length > 0) {
      const frame = stack.at(-1)!;
      const list = needs.get(frame.id)!;
      if (frame.next >= list.length) {
        state.set(frame.id, 'done');
        stack.pop();
        continue;
      }
      const need = list[frame.next++]!;
      if (!needs.has(need)) continue;
      const s = state.get(need);
      if (s === undefined) {
        state.set(need, 'open');
        stack.push({ id: need, next: 0 });
      } else if (s === 'open') {
        const from = stack.findIndex((f) => f.id === need);
        cycles.push([...stack.slice(from).map((f) => f.id), need]);
      }
    }
  }
  return cycles;
}

/**
 * Which jobs each job waits for, directly or not, as one bit set per job (jobs numbered in `def.jobs`
 * order, which is topological): a job's set is its needs' sets and the needs themselves. 2,000 jobs take
 * 0.5 MB and one pass; a walk up the graph per `jobs.X` reference could take seconds on a hostile file.
 */
export class Ancestry {
  private readonly index = new Map<string, number>();
  private readonly bits: Uint32Array[];

  constructor(def: WorkflowDef) {
    def.jobs.forEach((job, i) => this.index.set(job.id, i));
    const words = Math.ceil(def.jobs.length / 32);
    this.bits = def.jobs.map(() => new Uint32Array(words));
    def.jobs.forEach((job, i) => {
      const mine = this.bits[i]!;
      for (const need of job.needs) {
        const k = this.index.get(need);
        if (k === undefined || k === i) continue;
        mine[k >>> 5]! |= 1 << (k & 31);
        // A need later in the order is on a cycle (reported on its own): its set may be incomplete.
        const theirs = this.bits[k]!;
        for (let w = 0; w < words; w++) mine[w]! |= theirs[w]!;
      }
    });
  }

  /** Whether job `id` waits for job `other`, directly or not. */
  waitsFor(id: string, other: string): boolean {
    const i = this.index.get(id);
    const k = this.index.get(other);
    if (i === undefined || k === undefined) return false;
    return (this.bits[i]![k >>> 5]! & (1 << (k & 31))) !== 0;
  }
}
