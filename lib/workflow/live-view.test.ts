import { describe, expect, it } from 'vitest';
import { jobView as job, runView } from '../../test/helpers/workflow-views.js';
import { renderWorkflowJsonLines, renderWorkflowLive } from './live-view.js';

const NOW = Date.parse('2026-12-02T09:02:00.000Z');

const inFlight = runView([
  job('plan', { label: 'agent planner', duration_ms: 2_000, cost_usd: 0.0123 }),
  job('write', {
    label: 'agent writer',
    needs: ['plan'],
    status: 'running',
    result: null,
    ended_at: null,
    duration_ms: null,
    started_at: '2026-12-02T09:01:00.000Z',
    attempts: 2,
    matrix: { total: 4, done: 1, failed: 0 },
  }),
  job('lint', { kind: 'run', label: '$ npm run lint', needs: ['write'], status: 'pending', result: null, started_at: null, ended_at: null, duration_ms: null }),
]);

describe('renderWorkflowLive', () => {
  it('draws a line per job and a summary, within the width', () => {
    const lines = renderWorkflowLive(inFlight, { width: 60, color: false, now: NOW });
    expect(lines).toEqual([
      '✔ plan  agent planner                 succeeded 2.0s $0.0123',
      '● write agent writer                    running 1m00s ×2 1/4',
      '· lint  $ npm run lint                               pending',
      '1/3 done · $0.0123 · 2m00s',
    ]);
    for (const line of lines) expect(Array.from(line).length).toBeLessThanOrEqual(60);
  });

  it('colours only when asked', () => {
    const plain = renderWorkflowLive(inFlight, { width: 60, color: false, now: NOW });
    const coloured = renderWorkflowLive(inFlight, { width: 60, color: true, now: NOW });
    expect(plain.join('')).not.toContain('\u001b');
    expect(coloured[0]).toContain('\u001b[32m✔\u001b[39m');
    expect(coloured.map((line) => line.replace(/\u001b\[\d+m/g, ''))).toEqual(plain);
  });

  it('says why a job failed or was skipped, a retry being waited for, and how the run ended', () => {
    const view = runView(
      [
        job('build', { status: 'failed', result: 'failure', reason: 'exited with code 2', matrix: { total: 3, done: 3, failed: 1 } }),
        job('deploy', { needs: ['build'], status: 'skipped', result: 'skipped', reason: 'a job it needs failed: build', duration_ms: null }),
        job('flaky', {
          status: 'queued',
          result: null,
          duration_ms: null,
          attempts: 2,
          tasks: [{ ...job('flaky').tasks[0]!, status: 'queued', retry_at: '2026-12-02T09:02:04.000Z' }],
        }),
      ],
      { status: 'failed', duration_ms: 90_000 },
    );
    const lines = renderWorkflowLive(view, { width: 100, color: false, now: NOW });
    expect(lines[0]).toMatch(/^✘ build {2}agent build — exited with code 2 +failed 1\.0s 3\/3 ✘1$/);
    expect(lines[1]).toMatch(/^↷ deploy agent deploy — a job it needs failed: build +skipped$/);
    expect(lines[2]).toMatch(/^◌ flaky {2}agent flaky +queued ×2 retry in 4\.0s$/);
    expect(lines[3]).toBe('2/3 done · $0.0000 · 1m30s · 1 failed · 1 skipped · failed');
  });

  it('keeps agent text from steering the terminal, and cuts long text to the width', () => {
    const hostile = `\u001b[2J\u001b]0;pwned\u0007\u001b[1A✔ fake succeeded\r\n${'x'.repeat(300)}`;
    const view = runView([job(`id\u001b[31m${'y'.repeat(100)}`, { label: hostile, status: 'failed', result: 'failure', reason: hostile })]);
    for (const width of [20, 40, 80, 200]) {
      const lines = renderWorkflowLive(view, { width, color: false, now: NOW });
      for (const line of lines) {
        expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
        expect(Array.from(line).length).toBeLessThanOrEqual(width);
      }
      expect(lines[0]).toContain('failed');
    }
  });

  it('renders a run with no jobs', () => {
    expect(renderWorkflowLive(runView([]), { width: 80, color: false, now: NOW })).toEqual(['0/0 done · $0.0000 · 2m00s']);
  });
});

describe('renderWorkflowJsonLines', () => {
  it('prints every job on the first view, then only the jobs that changed, then the end of the run', () => {
    const first = renderWorkflowJsonLines(null, inFlight).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(first.map((l) => [l.type, l.job, l.status, l.previous_status])).toEqual([
      ['job', 'plan', 'succeeded', null],
      ['job', 'write', 'running', null],
      ['job', 'lint', 'pending', null],
    ]);
    expect(first[0]).toEqual({
      type: 'job',
      workflow_run_id: 'wr_0001',
      job: 'plan',
      status: 'succeeded',
      previous_status: null,
      result: 'success',
      attempts: 1,
      duration_ms: 2_000,
      cost_usd: 0.0123,
      reason: null,
      outputs: null,
      matrix: null,
    });

    expect(renderWorkflowJsonLines(inFlight, inFlight)).toEqual([]);

    const ended = runView(
      [inFlight.jobs[0]!, job('write', { needs: ['plan'], attempts: 2, outputs: { n: 4 } }), job('lint', { kind: 'run', needs: ['write'], status: 'failed', result: 'failure', reason: 'exit 1' })],
      { status: 'failed', error: 'job lint failed', duration_ms: 120_000 },
    );
    const next = renderWorkflowJsonLines(inFlight, ended).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(next.map((l) => [l.type, l.job ?? null, l.status, l.previous_status ?? null])).toEqual([
      ['job', 'write', 'succeeded', 'running'],
      ['job', 'lint', 'failed', 'pending'],
      ['workflow', null, 'failed', null],
    ]);
    expect(next[0]!.outputs).toEqual({ n: 4 });
    expect(next[2]).toMatchObject({ workflow_run_id: 'wr_0001', name: 'pipeline', error: 'job lint failed', duration_ms: 120_000, counts: { total: 3, failed: 1 } });
    // The end is said once.
    expect(renderWorkflowJsonLines(ended, ended)).toEqual([]);
  });

  it('prints a retry (same status, another attempt), and keeps hostile text exact on one line', () => {
    const hostile = 'line\nbreak \u001b[2J "quotes"';
    const before = runView([job('a', { status: 'running', result: null, attempts: 1 })]);
    const after = runView([job('a', { status: 'running', result: null, attempts: 2, reason: hostile })]);
    const lines = renderWorkflowJsonLines(before, after);
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    expect((JSON.parse(lines[0]!) as { reason: string }).reason).toBe(hostile);
  });
});
