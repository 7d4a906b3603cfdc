// What the workflow pages share: a table of runs, and a workflow's graph (Mermaid text the page's script
// renders in the browser with mermaid.min.js, in strict security; the text itself is shown until then).
import { html } from 'hono/html';
import type { z } from 'zod';
import { STATE_STYLES, workflowMermaid } from '../../../lib/workflow/mermaid.js';
import type { WorkflowDef } from '../../../lib/workflow/model.js';
import { JOB_STATUSES, type JobStatus, type WorkflowRunSummarySchema } from '../../../protocol/workflows.js';
import { duration, money, statusBadge, timeAgo } from '../format.js';

export type RunSummary = z.infer<typeof WorkflowRunSummarySchema>;

/** The runs of one workflow or of all (`withName`): status, workflow, started, duration, trigger, jobs done, cost. */
export function runsTable(runs: readonly RunSummary[], options: { withName: boolean; id: string }) {
  if (runs.length === 0) return html`<p class="muted" id="${options.id}">No run yet.</p>`;
  return html`<div class="table-wrap"><table id="${options.id}">
<thead><tr><th>Run</th><th>Status</th>${options.withName ? html`<th>Workflow</th>` : ''}<th>Started</th><th class="num">Duration</th><th class="hide-narrow">Trigger</th><th class="num hide-narrow">Jobs</th><th class="num hide-narrow">Cost</th></tr></thead>
<tbody>${runs.map(
    (r) => html`<tr data-run="${r.workflow_run_id}"><td><a class="mono wf-run-link" href="/workflow-runs/${encodeURIComponent(r.workflow_run_id)}">${shortId(r.workflow_run_id)}</a>${r.attempt > 1 ? html` <span class="muted" title="resumed ${r.attempt - 1}×">#${r.attempt}</span>` : ''}</td>
<td>${statusBadge(r.status)}</td>${options.withName ? html`<td><a href="/workflows/${encodeURIComponent(r.name)}">${r.name}</a></td>` : ''}
<td>${timeAgo(r.created_at)}</td><td class="num">${r.duration_ms === null ? '–' : duration(r.duration_ms)}</td><td class="hide-narrow">${r.trigger}</td>
<td class="num hide-narrow">${r.counts.done}/${r.counts.total}</td><td class="num hide-narrow">${money(r.totals.cost_usd)}</td></tr>`,
  )}</tbody></table></div>`;
}

/** The last characters of a long id (enough to tell runs apart; the whole id is the link). */
export function shortId(id: string): string {
  return id.length > 14 ? `…${id.slice(-10)}` : id;
}

/** The `classDef` lines of every job state (the script adds `class` lines for a run's states). */
const CLASS_DEFS = JOB_STATUSES.map((s) => `classDef ${s} ${STATE_STYLES[s]}`).join('\n');

/**
 * A workflow's graph: its Mermaid text (escaped here, and labels entity-encoded by workflowMermaid), the
 * job ids in node order (node `jN` is job N), and for a run each job's state; workflow-graph.js renders it.
 */
export function graphBlock(def: WorkflowDef, states: ReadonlyMap<string, JobStatus> | null) {
  const nodes = JSON.stringify(def.jobs.map((j) => j.id));
  const initial = states === null ? '' : JSON.stringify(Object.fromEntries(states));
  return html`<figure class="wf-graph" data-graph data-nodes="${nodes}" data-classdefs="${CLASS_DEFS}"${states === null ? '' : html` data-states="${initial}"`}>
<div class="graph-svg" role="img" aria-label="Graph of the workflow's jobs"></div>
<details class="graph-text"><summary>Mermaid text</summary><pre class="graph-src">${workflowMermaid(def)}</pre></details>
${states === null ? '' : legend()}
</figure>`;
}

/** Which colour is which state. */
function legend() {
  return html`<figcaption class="wf-legend">${JOB_STATUSES.map((s) => html`<span class="wf-key wf-key-${s}">${s === 'waiting' ? 'waiting (gate or nested run)' : s}</span> `)}</figcaption>`;
}
