import { describe, expect, it } from 'vitest';
import { jobView as job, runView } from '../../test/helpers/workflow-views.js';
import { criticalPath } from './critical-path.js';

describe('criticalPath', () => {
  it('follows the chain whose durations add up longest', () => {
    // plan(1s) → a(5s) → lint(2s) → publish(1s) beats plan → b(3s) → lint → publish.
    const view = runView([
      job('plan', { duration_ms: 1_000 }),
      job('a', { needs: ['plan'], duration_ms: 5_000 }),
      job('b', { needs: ['plan'], duration_ms: 3_000 }),
      job('lint', { needs: ['a', 'b'], duration_ms: 2_000 }),
      job('publish', { needs: ['lint'], duration_ms: 1_000 }),
      job('side', { duration_ms: 6_000 }),
    ]);
    expect(criticalPath(view)).toEqual({ jobs: ['plan', 'a', 'lint', 'publish'], total_ms: 9_000 });
  });

  it('weighs jobs that have not ended, or have no times, as 0', () => {
    const view = runView([
      job('a', { duration_ms: 2_000 }),
      job('b', { needs: ['a'], status: 'running', result: null, ended_at: null, duration_ms: 50_000 }),
      job('c', { needs: ['a'], status: 'skipped', result: 'skipped', started_at: null, ended_at: null, duration_ms: null }),
      job('d', { duration_ms: 1_500 }),
    ]);
    expect(criticalPath(view)).toEqual({ jobs: ['a'], total_ms: 2_000 });
  });

  it('is empty for no jobs, and breaks ties by the order jobs are listed', () => {
    expect(criticalPath(runView([]))).toEqual({ jobs: [], total_ms: 0 });
    expect(criticalPath(runView([job('x'), job('y')]))).toEqual({ jobs: ['x'], total_ms: 1_000 });
  });

  it('survives hostile views: unknown needs, cycles, negative and non-finite durations', () => {
    const view = runView([
      job('a', { needs: ['ghost', 'c'], duration_ms: 1_000 }),
      job('b', { needs: ['a'], duration_ms: -5 }),
      job('c', { needs: ['b'], duration_ms: Number.NaN }),
      job('d', { needs: ['d'], duration_ms: 500 }),
    ]);
    const path = criticalPath(view);
    expect(path.total_ms).toBe(1_000);
    expect(path.jobs).toContain('a');
  });

  it('handles a long chain without deep recursion trouble (2,000 jobs)', () => {
    const jobs = Array.from({ length: 2_000 }, (_, i) => job(`j${i}`, { needs: i === 0 ? [] : [`j${i - 1}`], duration_ms: 10 }));
    const path = criticalPath(runView(jobs));
    expect(path.jobs.length).toBe(2_000);
    expect(path.total_ms).toBe(20_000);
  });
});
