// `/workflows`: the workflows folder's definitions, its broken files (each problem at file:line:col), and
// the latest runs of any workflow.
import { html } from 'hono/html';
import type { z } from 'zod';
import type { WorkflowProblem, WorkflowSummarySchema } from '../../../protocol/workflows.js';
import type { ConsoleDeps } from '../console-page.js';
import { runsTable, type RunSummary } from './workflow-parts.js';

export type WorkflowSummary = z.infer<typeof WorkflowSummarySchema>;

/** How many runs the list page shows. */
export const RECENT_RUNS = 20;

/** Where a problem is: `file:line:col` (or only the file when its position is unknown). */
export function problemPlace(file: string, issue: { line: number | null; col: number | null }): string {
  return issue.line === null ? file : `${file}:${issue.line}${issue.col === null ? '' : `:${issue.col}`}`;
}

function schedules(w: WorkflowSummary) {
  if (w.schedules.length === 0) return html`<span class="muted">–</span>`;
  return html`${w.schedules.map((s, i) => html`${i > 0 ? ', ' : ''}<code>${s.cron}</code>${s.timezone === null ? '' : ` ${s.timezone}`}`)}${
    w.next_run_at === null ? '' : html`<br><span class="hint">next ${w.next_run_at.slice(0, 16).replace('T', ' ')} UTC</span>`
  }`;
}

function definitionsTable(workflows: readonly WorkflowSummary[]) {
  if (workflows.length === 0) {
    return html`<p class="muted">The workflows folder holds no workflow. Put YAML files in the coordinator's <code>--workflows-dir</code> (see <code>docs/workflows.md</code>).</p>`;
  }
  return html`<div class="table-wrap"><table id="workflows">
<thead><tr><th>Workflow</th><th class="hide-narrow">File</th><th>Description</th><th class="num">Jobs</th><th class="hide-narrow">Schedule</th></tr></thead>
<tbody>${workflows.map(
    (w) => html`<tr data-workflow="${w.name}"><td><a href="/workflows/${encodeURIComponent(w.name)}">${w.name}</a></td><td class="hide-narrow mono">${w.file ?? '–'}</td>
<td>${w.description ?? html`<span class="muted">–</span>`}</td><td class="num">${w.jobs}</td><td class="hide-narrow">${schedules(w)}</td></tr>`,
  )}</tbody></table></div>`;
}

function problemsList(problems: readonly WorkflowProblem[]) {
  if (problems.length === 0) return '';
  return html`<h2>Problems in the folder</h2>
<ul id="workflow-problems" class="wf-problems">${problems.map(
    (p) => html`<li class="card"><strong class="mono">${p.file}</strong>${p.workflow === null ? '' : html` (${p.workflow})`}: <span class="problem">${p.message}</span>
${p.kept ? html`<p class="hint">An earlier good version of it is still in use.</p>` : html`<p class="hint">Not loaded.</p>`}
${p.issues.length === 0 ? '' : html`<ul>${p.issues.map((i) => html`<li><code>${problemPlace(p.file, i)}</code> ${i.path === '' ? '' : html`<code>${i.path}</code>: `}${i.message}</li>`)}</ul>`}</li>`,
  )}</ul>`;
}

/** The list page's body (also its `?fragment=body`, which workflows.js reads again when runs change). */
export async function workflowListBody(deps: ConsoleDeps) {
  const [{ workflows, problems }, { workflow_runs: runs }] = await Promise.all([
    deps.api<{ workflows: WorkflowSummary[]; problems: WorkflowProblem[] }>('/v1/workflows'),
    deps.api<{ workflow_runs: RunSummary[] }>(`/v1/workflow-runs?limit=${RECENT_RUNS}`),
  ]);
  return html`${definitionsTable(workflows)}
${problemsList(problems)}
<h2>Recent runs</h2>
${runsTable(runs, { withName: true, id: 'recent-runs' })}`;
}
