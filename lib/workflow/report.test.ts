import { describe, expect, it } from 'vitest';
import { jobView as job, runView } from '../../test/helpers/workflow-views.js';
import { abbreviate, markdownText, workflowReportMarkdown } from './report.js';

const finished = runView(
  [
    job('plan', { label: 'agent planner', duration_ms: 2_000, cost_usd: 0.01, outputs: { files: ['a.md', 'b.md'], result: 'planned' } }),
    job('write', {
      label: 'agent writer',
      needs: ['plan'],
      duration_ms: 65_000,
      cost_usd: 0.04,
      attempts: 3,
      reason: 'attempt 2: exited with code 1',
      matrix: { total: 2, done: 2, failed: 0 },
    }),
    job('lint', { kind: 'run', label: '$ npm run lint', needs: ['write'], status: 'failed', result: 'failure', reason: 'exited with code 2: 3 problems', duration_ms: 4_000 }),
    job('publish', { needs: ['lint'], status: 'skipped', result: 'skipped', reason: 'a job it needs failed: lint', started_at: null, ended_at: null, duration_ms: null }),
  ],
  { status: 'failed', inputs: { topic: 'cats', count: 4 }, ended_at: '2026-12-02T09:01:11.000Z', duration_ms: 71_000, error: 'job lint failed' },
);

describe('workflowReportMarkdown', () => {
  it('reports the run, its inputs, a row per job, the critical path, and the errors and skips', () => {
    const md = workflowReportMarkdown(finished);
    expect(md).toBe(
      [
        '# Workflow pipeline: ❌ failed',
        '',
        '- **Run:** wr\\_0001',
        '- **Trigger:** cli',
        '- **Started:** 2026-12-02T09:00:00.000Z · **Ended:** 2026-12-02T09:01:11.000Z',
        '- **Duration:** 1m11s',
        '- **Cost:** $0.0500 (0 tokens)',
        '- **Jobs:** 4/4 done · 2 succeeded · 1 failed · 1 skipped · 0 cancelled',
        '',
        '## Inputs',
        '',
        '| Input | Value |',
        '| --- | --- |',
        '| topic | cats |',
        '| count | 4 |',
        '',
        '## Jobs',
        '',
        '| | Job | What | Status | Attempts | Duration | Cost | Outputs |',
        '| --- | --- | --- | --- | ---: | ---: | ---: | --- |',
        '| ✅ | `plan` | agent planner | succeeded | 1 | 2.0s | $0.0100 | files: \\["a.md","b.md"\\]<br>result: planned |',
        '| ✅ | `write` | agent writer | succeeded (2/2) | 3 | 1m05s | $0.0400 |  |',
        '| ❌ | `lint` | $ npm run lint | failed | 1 | 4.0s | $0.0000 |  |',
        '| ⏭️ | `publish` | agent publish | skipped | 1 | - | $0.0000 |  |',
        '',
        '## Critical path',
        '',
        '`plan` → `write` → `lint` (1m11s)',
        '',
        '## Errors and skips',
        '',
        '- **Workflow:** job lint failed',
        '- `write` succeeded: attempt 2: exited with code 1',
        '- `lint` failed: exited with code 2: 3 problems',
        '- `publish` skipped: a job it needs failed: lint',
        '',
      ].join('\n'),
    );
  });

  it('says a resumed run and a nested one, and a run without jobs', () => {
    const md = workflowReportMarkdown(runView([], { attempt: 3, parent_workflow_run_id: 'wr_parent', parent_job: 'deploy' }));
    expect(md).toContain('- **Run:** wr\\_0001 (attempt 3: resumed 2×)');
    expect(md).toContain('- **Nested in:** wr\\_parent, job deploy');
    expect(md).toContain('## Jobs\n\nNo jobs.\n');
    expect(md).not.toContain('## Critical path');
  });

  it('escapes agent text: pipes, newlines, backticks, HTML, links, escape sequences', () => {
    const hostile = 'a | b\nc\r\n`rm -rf`<script>alert(1)</script> [x](javascript:alert(1)) **bold** \u001b[2J\u001b]0;title\u0007 \u0000';
    const view = runView(
      [
        job('x', { label: hostile, outputs: { [hostile]: hostile }, status: 'failed', result: 'failure', reason: hostile }),
        job('evil|id`\n', { status: 'skipped', result: 'skipped', reason: 'r' }),
      ],
      { name: '<img src=x onerror=alert(1)>', inputs: { [hostile]: { nested: hostile } }, error: hostile },
    );
    const md = workflowReportMarkdown(view);
    const tableRows = md.split('\n').filter((line) => line.startsWith('| '));
    // Every row keeps its column count: no pipe of the text splits a cell.
    for (const row of tableRows) {
      const cells = row.replace(/\\\|/g, '').split('|').length;
      expect(cells === 4 || cells === 10, row).toBe(true);
    }
    expect(md).not.toMatch(/<(?!br>)/);
    expect(md).not.toContain('\u001b');
    expect(md).not.toContain('\u0000');
    expect(md).not.toMatch(/[^\\]\[x\]\(/);
    expect(md).toContain('&lt;script&gt;');
    expect(md).toContain('\\`rm -rf\\`');
    expect(md).toContain('\\x00');
    expect(md).toContain('# Workflow &lt;img src=x onerror=alert(1)&gt;: ▶️ running');
    expect(md).toContain('| ⏭️ | evil\\|id\\`<br> |');
  });

  it('abbreviates long outputs and many outputs', () => {
    const outputs = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`o${i}`, 'v'.repeat(500)]));
    const md = workflowReportMarkdown(runView([job('big', { outputs })]));
    const row = md.split('\n').find((line) => line.includes('`big`'))!;
    expect(row).toContain(`o0: ${'v'.repeat(59)}…`);
    expect(row).toContain('… 3 more');
    expect(row.length).toBeLessThan(800);
  });
});

describe('markdownText and abbreviate', () => {
  it('cut by code points, never inside an escape', () => {
    expect(abbreviate('😀😀😀', 2)).toBe('😀…');
    expect(markdownText('ab|cd', 3)).toBe('ab…');
    expect(markdownText('|'.repeat(10), 4)).toBe('\\|\\|\\|…');
  });
});
