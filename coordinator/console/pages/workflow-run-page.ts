// `/workflow-runs/:id`: a run's head (status, totals, Cancel and Resume), its live graph, its jobs, and once
// it ended the execution report (what `workflow show --report` prints). The head and the jobs are
// fragments workflow-run.js reads again when the run's view changes (GET …/events).
import { html } from 'hono/html';
import { criticalPath } from '../../../lib/workflow/critical-path.js';
import type { WorkflowDef } from '../../../lib/workflow/model.js';
import { workflowReportMarkdown } from '../../../lib/workflow/report.js';
import type { WorkflowJobView, WorkflowRunView } from '../../../protocol/workflows.js';
import type { ConsoleDeps } from '../console-page.js';
import { duration, money, statusBadge, timeAgo } from '../format.js';
import { graphBlock } from './workflow-parts.js';

/** Most session links shown for one job (a matrix may have thousands). */
const MAX_SESSION_LINKS = 6;
/** Longest output value shown in the jobs table before it is cut. */
const MAX_OUTPUT_CHARS = 200;

const ms = (value: number | null) => (value === null ? '–' : duration(value));

const readRun = (deps: ConsoleDeps, id: string) => deps.api<WorkflowRunView>(`/v1/workflow-runs/${encodeURIComponent(id)}`);

function clip(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

const valueText = (value: unknown) => (typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value)));

/** The run's status, workflow, attempt, trigger, times, cost, jobs done; Cancel and Resume as its state allows. */
export function runHead(view: WorkflowRunView) {
  const running = view.status === 'running';
  const cancelling = running && view.cancel_requested !== null;
  const c = view.counts;
  return html`<div class="wf-head" data-status="${view.status}" data-version="${view.version}">
<p class="wf-facts"><span id="run-status">${statusBadge(cancelling ? 'cancelling' : view.status)}</span>
Workflow <a href="/workflows/${encodeURIComponent(view.name)}">${view.name}</a>${view.attempt > 1 ? html` · attempt ${view.attempt} (resumed ${view.attempt - 1}×)` : ''}
· ${view.trigger} · started ${timeAgo(view.created_at)} · ${ms(view.duration_ms)} · ${money(view.totals.cost_usd)}
· jobs ${c.done}/${c.total} done (${c.succeeded} succeeded, ${c.failed} failed, ${c.skipped} skipped, ${c.cancelled} cancelled)
· root session <a class="mono" href="/sessions/${encodeURIComponent(view.root_session_id)}">${view.root_session_id}</a>
${view.parent_workflow_run_id === null ? '' : html`· nested in <a class="mono" href="/workflow-runs/${encodeURIComponent(view.parent_workflow_run_id)}">${view.parent_workflow_run_id}</a>`}</p>
${view.error === null ? '' : html`<p class="problem" id="run-error">${view.error}</p>`}
<div class="wf-actions">
<button type="button" id="run-cancel" class="danger" data-action="cancel"${running && !cancelling ? '' : html` disabled`}>Cancel run</button>
<button type="button" id="run-resume" data-action="resume"${view.status === 'failed' || view.status === 'cancelled' ? '' : html` disabled`}>Resume</button>
<span class="hint">${running ? (cancelling ? 'Stopping the jobs in flight…' : 'Cancel stops the jobs in flight (cleanup jobs still run).') : view.status === 'succeeded' ? 'Succeeded: nothing to re-run.' : 'Resume re-runs what failed, was cancelled or skipped, and what needs it.'}</span>
</div></div>`;
}

/** A job's status, why, and a gate's question waiting in the inbox. */
function jobStatus(job: WorkflowJobView) {
  const gateOpen = job.kind === 'gate' && job.status === 'waiting';
  return html`${statusBadge(job.status)}${job.continue_on_error && job.status === 'failed' ? html` <span class="muted">(allowed)</span>` : ''}
${gateOpen ? html`<br><a href="/inbox" class="wf-gate">waiting for approval: answer in the inbox</a>` : ''}
${job.reason !== null && job.status !== 'succeeded' ? html`<br><span class="wf-reason">${clip(job.reason, 300)}</span>` : ''}`;
}

function sessionLinks(job: WorkflowJobView) {
  const links = job.tasks.flatMap((t) =>
    t.session_ids.map((id, i) => ({ id, text: `${t.matrix === null ? '' : `${t.key} `}#${i + 1}` })),
  );
  if (links.length === 0) return html`<span class="muted">–</span>`;
  const shown = links.slice(0, MAX_SESSION_LINKS);
  return html`${shown.map((l, i) => html`${i > 0 ? ' ' : ''}<a class="mono" href="/sessions/${encodeURIComponent(l.id)}" title="${l.id}">${l.text}</a>`)}${
    links.length > shown.length ? html` <span class="muted">+${links.length - shown.length}</span>` : ''
  }`;
}

function outputs(job: WorkflowJobView) {
  const entries = Object.entries(job.outputs ?? {});
  if (entries.length === 0) return html`<span class="muted">–</span>`;
  return html`<dl class="wf-outputs">${entries.slice(0, 8).map(([k, v]) => html`<dt>${k}</dt><dd><code>${clip(valueText(v), MAX_OUTPUT_CHARS)}</code></dd>`)}</dl>${
    entries.length > 8 ? html`<span class="muted">+${entries.length - 8} more</span>` : ''
  }`;
}

function matrixNote(job: WorkflowJobView) {
  return job.matrix === null ? '' : html`<br><span class="hint">matrix ${job.matrix.done}/${job.matrix.total}${job.matrix.failed > 0 ? `, ${job.matrix.failed} failed` : ''}</span>`;
}

/** Each job: status (and why), attempts, duration, cost, sessions, outputs. */
export function jobsTable(view: WorkflowRunView) {
  return html`<div class="table-wrap"><table id="jobs">
<thead><tr><th>Job</th><th>Status</th><th class="num">Attempts</th><th class="num">Duration</th><th class="num hide-narrow">Cost</th><th>Sessions</th><th>Outputs</th></tr></thead>
<tbody>${view.jobs.map(
    (job) => html`<tr data-job="${job.id}" data-status="${job.status}"><td><strong class="wf-job-id">${job.id}</strong><br><span class="muted wf-job-label">${clip(job.label, 120)}</span>${matrixNote(job)}</td>
<td>${jobStatus(job)}</td><td class="num">${job.attempts}</td><td class="num">${ms(job.duration_ms)}</td><td class="num hide-narrow">${money(job.cost_usd)}</td>
<td>${sessionLinks(job)}</td><td>${outputs(job)}</td></tr>`,
  )}</tbody></table></div>`;
}

/** The execution report of an ended run: per job result, durations, the critical path, cost, errors; and its markdown. */
export function runReport(view: WorkflowRunView) {
  if (view.status === 'running') return html`<p class="hint" id="report-pending">The execution report shows here once the run ended.</p>`;
  const path = criticalPath(view);
  const problems = view.jobs.filter((j) => j.reason !== null && (j.status === 'failed' || j.status === 'skipped' || j.status === 'cancelled' || j.attempts > 1));
  return html`<section id="report" class="card" aria-labelledby="report-title">
<h2 id="report-title">Execution report</h2>
<p>${statusBadge(view.status)} in ${ms(view.duration_ms)}, ${money(view.totals.cost_usd)}. ${view.counts.succeeded} succeeded · ${view.counts.failed} failed · ${view.counts.skipped} skipped · ${view.counts.cancelled} cancelled.</p>
<div class="table-wrap"><table id="report-jobs"><thead><tr><th>Job</th><th>Result</th><th class="num">Attempts</th><th class="num">Duration</th><th class="num">Cost</th></tr></thead>
<tbody>${view.jobs.map((j) => html`<tr><td>${j.id}</td><td>${statusBadge(j.status)}</td><td class="num">${j.attempts}</td><td class="num">${ms(j.duration_ms)}</td><td class="num">${money(j.cost_usd)}</td></tr>`)}</tbody></table></div>
${path.jobs.length === 0 ? '' : html`<h3>Critical path</h3><p id="critical-path">${path.jobs.map((id, i) => html`${i > 0 ? ' → ' : ''}<code>${id}</code>`)} (${ms(path.total_ms)})</p>`}
${view.error === null && problems.length === 0 ? '' : html`<h3>Errors and skips</h3><ul id="report-problems">${view.error === null ? '' : html`<li><strong>Workflow:</strong> ${clip(view.error, 500)}</li>`}${problems.map((j) => html`<li><code>${j.id}</code> ${j.status}: ${clip(j.reason!, 500)}</li>`)}</ul>`}
<details><summary>As markdown (<code>workflow show --report</code>)</summary><pre id="report-markdown">${workflowReportMarkdown(view)}</pre></details>
</section>`;
}

/** The parts workflow-run.js reads again: the head, or the jobs with the report. */
export async function runFragment(deps: ConsoleDeps, id: string, part: 'head' | 'jobs') {
  const view = await readRun(deps, id);
  return part === 'head' ? runHead(view) : html`${jobsTable(view)}${runReport(view)}`;
}

/** What workflow-run.js compares each view of the stream with (as it computes it): the parts change when it does. */
export function viewSignature(view: WorkflowRunView): string {
  return `${view.status}|${view.version}|${view.cancel_requested ?? ''}|${view.jobs.map((j) => `${j.status}:${j.attempts}`).join(',')}`;
}

/** The whole page's body. */
export async function runPageBody(deps: ConsoleDeps, id: string) {
  const [view, { definition }] = await Promise.all([
    readRun(deps, id),
    deps.api<{ definition: WorkflowDef }>(`/v1/workflow-runs/${encodeURIComponent(id)}/definition`),
  ]);
  const base = `/workflow-runs/${encodeURIComponent(id)}`;
  return {
    title: `Run of ${view.name}`,
    body: html`<div id="run" data-run="${view.workflow_run_id}" data-status="${view.status}" data-signature="${viewSignature(view)}">
<section id="run-head" data-fragment="${base}?fragment=head">${runHead(view)}</section>
<h2>Graph</h2>
${graphBlock(definition, new Map(view.jobs.map((j) => [j.id, j.status])))}
<h2>Jobs</h2>
<section id="run-jobs" data-fragment="${base}?fragment=jobs">${jobsTable(view)}${runReport(view)}</section>
</div>`,
  };
}
