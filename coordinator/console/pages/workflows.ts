// The Workflows pages: `/workflows` (the folder's definitions, its problems, recent runs), `/workflows/:name`
// (the graph, a run form over its typed inputs, its runs) and `/workflow-runs/:id` (a run, live). Every read
// goes through the API; what a person does (run, cancel, resume) the pages' scripts send to the API.
import type { Hono } from 'hono';
import { html } from 'hono/html';
import type { WorkflowDef } from '../../../lib/workflow/model.js';
import { fragment, type ConsoleDeps, type ConsoleEnv } from '../console-page.js';
import { runForm } from './workflow-inputs-form.js';
import { workflowListBody, type WorkflowSummary } from './workflow-list.js';
import { graphBlock, runsTable, type RunSummary } from './workflow-parts.js';
import { runFragment, runPageBody } from './workflow-run-page.js';

/** How many runs a workflow's page lists. */
const RUNS_SHOWN = 20;

/** A workflow's latest runs. */
async function runsPart(deps: ConsoleDeps, name: string) {
  const { workflow_runs: runs } = await deps.api<{ workflow_runs: RunSummary[] }>(`/v1/workflow-runs?name=${encodeURIComponent(name)}&limit=${RUNS_SHOWN}`);
  return runsTable(runs, { withName: false, id: 'workflow-runs' });
}

/** A workflow's page: what it is, its graph, the run form, its latest runs. */
async function definitionBody(deps: ConsoleDeps, name: string) {
  const [w, runs] = await Promise.all([deps.api<WorkflowSummary & { definition: WorkflowDef }>(`/v1/workflows/${encodeURIComponent(name)}`), runsPart(deps, name)]);
  return {
    w,
    body: html`<p>${w.description ?? ''} <span class="muted">${w.form} form${w.file === null ? '' : html`, <span class="mono">${w.file}</span>`} · ${w.jobs} job${w.jobs === 1 ? '' : 's'}${
      w.schedules.length === 0 ? '' : html` · on schedule ${w.schedules.map((s) => s.cron).join(', ')}`
    }</span></p>
<h2>Graph</h2>
${graphBlock(w.definition, null)}
<h2>Run it</h2>
${runForm(w.name, w.definition.inputs)}
<h2>Runs</h2>
<div id="runs" data-fragment="/workflows/${encodeURIComponent(w.name)}?fragment=runs" data-workflow="${w.name}">${runs}</div>`,
  };
}

export function mountWorkflowPages(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  app.get('/workflows', async (c) => {
    const body = await workflowListBody(deps);
    if (c.req.query('fragment') === 'body') return fragment(c, body);
    return deps.render(c, { title: 'Workflows', section: '/workflows', body: html`<div id="workflows-page" data-fragment="/workflows?fragment=body">${body}</div>`, scripts: ['workflows.js'] });
  });

  app.get('/workflows/:name', async (c) => {
    if (c.req.query('fragment') === 'runs') return fragment(c, await runsPart(deps, c.req.param('name')));
    const { w, body } = await definitionBody(deps, c.req.param('name'));
    return deps.render(c, { title: `Workflow ${w.name}`, section: '/workflows', body, scripts: ['workflow-graph.js', 'workflows.js'] });
  });

  app.get('/workflow-runs/:id', async (c) => {
    const id = c.req.param('id');
    const part = c.req.query('fragment');
    if (part === 'head' || part === 'jobs') return fragment(c, await runFragment(deps, id, part));
    const { title, body } = await runPageBody(deps, id);
    return deps.render(c, { title, section: '/workflows', body, scripts: ['workflow-graph.js', 'workflow-run.js'] });
  });
}
