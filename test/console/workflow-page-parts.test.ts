// The workflow pages' server-rendered parts, without a browser: hostile text (labels, reasons, outputs,
// problems, input names and defaults) comes out escaped; Cancel and Resume are offered per state; the
// report appears once the run ended. Fast checks of what the browser tests see through Chromium.
import { describe, expect, it } from 'vitest';
import type { WorkflowDef } from '../../lib/workflow/model.js';
import { runForm } from '../../coordinator/console/pages/workflow-inputs-form.js';
import { problemPlace } from '../../coordinator/console/pages/workflow-list.js';
import { graphBlock, shortId } from '../../coordinator/console/pages/workflow-parts.js';
import { jobsTable, runHead, runReport, viewSignature } from '../../coordinator/console/pages/workflow-run-page.js';
import { jobView, runView } from '../helpers/workflow-views.js';

const HOSTILE = '<img src=x onerror=alert(1)><script>alert(2)</script>"\'&';
const render = async (part: unknown) => String(await (part as Promise<string>));

const noMarkupFrom = (out: string) => {
  expect(out).not.toContain('<img');
  expect(out).not.toContain('<script');
};

describe('the workflow pages’ parts', () => {
  it('escape hostile job labels, reasons, outputs and errors in the jobs table, head and report', async () => {
    const view = runView(
      [
        jobView('loud', { label: HOSTILE, outputs: { [HOSTILE]: HOSTILE, n: { deep: HOSTILE } } }),
        jobView('bad', { status: 'failed', result: 'failure', reason: HOSTILE, needs: ['loud'] }),
      ],
      { status: 'failed', error: HOSTILE, name: 'pipeline', ended_at: '2026-12-02T09:00:02.000Z' },
    );
    for (const out of [await render(jobsTable(view)), await render(runHead(view)), await render(runReport(view))]) {
      noMarkupFrom(out);
      expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;');
    }
    expect(await render(runReport(view))).toContain('id="critical-path"');
  });

  it('offer Cancel while running and Resume once failed or cancelled, never after success', async () => {
    const buttons = async (status: 'running' | 'failed' | 'cancelled' | 'succeeded', cancel: number | null = null) => {
      const out = await render(runHead(runView([jobView('a')], { status, cancel_requested: cancel } as never)));
      return { cancel: !/id="run-cancel"[^>]*disabled/.test(out), resume: !/id="run-resume"[^>]*disabled/.test(out) };
    };
    expect(await buttons('running')).toEqual({ cancel: true, resume: false });
    expect(await buttons('running', Date.now())).toEqual({ cancel: false, resume: false });
    expect(await buttons('failed')).toEqual({ cancel: false, resume: true });
    expect(await buttons('cancelled')).toEqual({ cancel: false, resume: true });
    expect(await buttons('succeeded')).toEqual({ cancel: false, resume: false });
    expect(await render(runReport(runView([jobView('a', { status: 'running' })], { status: 'running' })))).toContain('once the run ended');
  });

  it('link a gate waiting for its answer to the inbox', async () => {
    const out = await render(jobsTable(runView([jobView('approve', { kind: 'gate', status: 'waiting', result: null })])));
    expect(out).toContain('href="/inbox"');
    expect(out).toContain('waiting for approval');
  });

  it('escape a hostile input name, description and default in the run form', async () => {
    const out = await render(
      runForm('wf', {
        [`x"><script>`]: { type: 'string', description: HOSTILE, required: false, default: HOSTILE, options: null },
        pick: { type: 'choice', description: null, required: true, options: [HOSTILE, 'b'], default: undefined },
      }),
    );
    noMarkupFrom(out);
    expect(out).toContain('name="inputs.x&quot;&gt;&lt;script&gt;"');
    expect(out).toContain('<option value="" data-none>— choose —</option>');
  });

  it('give the graph its text escaped and its node order', async () => {
    const def = {
      name: 'wf', description: null, form: 'jobs', inputs: {}, defaults: {}, budget: null, timeout_s: null, schedules: [],
      jobs: [{ id: 'a', needs: [], if: null, kind: 'run', agent: null, executor: null, run: `echo '${HOSTILE}'`, gate: null, workflow: null, prompt: null, with: {}, outputs: null, matrix: null, retry: { max: 0, backoff: 'fixed', initial_s: 1, max_delay_s: 1 }, timeout_s: null, continue_on_error: false, tags: [], priority: 0, at: null }],
    } satisfies WorkflowDef;
    const out = await render(graphBlock(def, new Map([['a', 'running']])));
    noMarkupFrom(out);
    expect(out).toContain('data-nodes="[&quot;a&quot;]"');
    expect(out).toContain('data-states="{&quot;a&quot;:&quot;running&quot;}"');
    expect(out).toContain('classDef running');
  });

  it('say where a problem is, and shorten long run ids', () => {
    expect(problemPlace('a.yaml', { line: 3, col: 7 })).toBe('a.yaml:3:7');
    expect(problemPlace('a.yaml', { line: null, col: null })).toBe('a.yaml');
    expect(shortId('wr_0123456789abcdefghij')).toBe('…abcdefghij');
    expect(viewSignature(runView([jobView('a')], { status: 'running', version: 4 }))).toBe('running|4||succeeded:1');
  });
});
