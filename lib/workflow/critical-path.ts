/**
 * The critical path of a workflow run: the chain of jobs, through `needs`, whose durations add up to the
 * longest time. Shortening anything else does not make the run end sooner. Pure, over the API's view.
 */
import { ENDED_JOB_STATUSES, type WorkflowRunView } from '../../protocol/workflows.js';

export interface CriticalPath {
  /** Job ids, first to last (each needs the one before). */
  jobs: string[];
  /** Their durations added up, in ms. */
  total_ms: number;
}

/**
 * The longest chain of jobs through `needs`, weighing each ended job by its duration (a job without one,
 * or not ended, weighs 0). Ties go to the job listed first. Needs of unknown jobs are ignored, and a cycle
 * (never in a valid run, but a view is data) is broken where it closes.
 */
export function criticalPath(view: Pick<WorkflowRunView, 'jobs'>): CriticalPath {
  const byId = new Map(view.jobs.map((job) => [job.id, job]));
  const weight = (id: string): number => {
    const job = byId.get(id)!;
    return ENDED_JOB_STATUSES.includes(job.status) && job.duration_ms !== null && Number.isFinite(job.duration_ms) ? Math.max(0, job.duration_ms) : 0;
  };
  // Longest chain ending at each job: its weight plus the longest chain of what it needs.
  const best = new Map<string, { total: number; before: string | null }>();
  const visiting = new Set<string>();
  const longest = (id: string): number => {
    const known = best.get(id);
    if (known !== undefined) return known.total;
    visiting.add(id);
    let before: string | null = null;
    let most = 0;
    for (const need of byId.get(id)!.needs) {
      if (!byId.has(need) || visiting.has(need)) continue;
      const total = longest(need);
      if (before === null || total > most) {
        before = need;
        most = total;
      }
    }
    visiting.delete(id);
    const entry = { total: most + weight(id), before };
    best.set(id, entry);
    return entry.total;
  };
  let end: string | null = null;
  let total = 0;
  for (const job of view.jobs) {
    const t = longest(job.id);
    if (end === null || t > total) {
      end = job.id;
      total = t;
    }
  }
  const jobs: string[] = [];
  for (let id = end; id !== null; id = best.get(id)!.before) jobs.unshift(id);
  return { jobs, total_ms: total };
}
