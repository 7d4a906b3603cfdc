/** The order jobs are kept in: every job after the jobs it needs, file order among jobs ready at once. */
import type { JobDef } from './model.js';

/**
 * Every job after the jobs it needs; among jobs ready at once, file order. Needs naming no job are ignored
 * here; jobs on a cycle (never ready) come last in file order.
 */
export function topologicalOrder(jobs: readonly JobDef[]): JobDef[] {
  const index = new Map(jobs.map((j, i) => [j.id, i]));
  const waiting = jobs.map((j) => j.needs.filter((n) => index.has(n) && n !== j.id).length);
  const dependants = jobs.map(() => [] as number[]);
  jobs.forEach((j, i) => {
    for (const n of new Set(j.needs)) {
      const k = index.get(n);
      if (k !== undefined && n !== j.id) dependants[k]!.push(i);
    }
  });
  // A min-heap of ready job indexes keeps file order among ready jobs in O(n log n).
  const heap: number[] = [];
  const push = (v: number) => {
    heap.push(v);
    for (let i = heap.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (heap[p]! <= heap[i]!) break;
      [heap[p], heap[i]] = [heap[i]!, heap[p]!];
      i = p;
    }
  };
  const pop = (): number => {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && heap[l]! < heap[m]!) m = l;
        if (r < heap.length && heap[r]! < heap[m]!) m = r;
        if (m === i) break;
        [heap[m], heap[i]] = [heap[i]!, heap[m]!];
        i = m;
      }
    }
    return top;
  };
  waiting.forEach((w, i) => w === 0 && push(i));
  const placed = new Array<boolean>(jobs.length).fill(false);
  const order: JobDef[] = [];
  while (heap.length > 0) {
    const i = pop();
    placed[i] = true;
    order.push(jobs[i]!);
    for (const d of dependants[i]!) if (--waiting[d]! === 0) push(d);
  }
  jobs.forEach((j, i) => !placed[i] && order.push(j));
  return order;
}
