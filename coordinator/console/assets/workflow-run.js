// A workflow run, live: follows GET /v1/workflow-runs/:id/events; on each view whose job states changed it
// redraws the graph, and reads the head and the jobs (with the report, once ended) again from the server.
// Cancel and Resume send POST …/cancel and …/resume; after a resume (here or elsewhere) it follows again.
import { api, flash, follow, onChanges, refresh, throttle } from './console.js';
import { drawGraph, statesOf } from './workflow-graph.js';

const root = document.getElementById('run');
const id = root.dataset.run;
const head = document.getElementById('run-head');
const jobs = document.getElementById('run-jobs');
const figure = root.querySelector('[data-graph]');

const stateKey = (states) => [...states].map(([job, state]) => `${job}=${state}`).join('\n');
let drawnStates = stateKey(statesOf(figure) ?? new Map());
// The page was served with this view: the stream's first view (the same, usually) reads nothing again.
let seen = root.dataset.signature ?? '';

const reread = throttle(async () => {
  await Promise.all([refresh(head, head.dataset.fragment), refresh(jobs, jobs.dataset.fragment)]).catch(() => undefined);
}, 500);

/** A view of the run (the stream's, or the one cancel/resume answered): redraw what changed. */
function show(view) {
  const states = new Map(view.jobs.map((job) => [job.id, job.status]));
  const key = stateKey(states);
  // The graph is redrawn only when a job's state changed (a cheap compare; drawing is not).
  if (key !== drawnStates) {
    drawnStates = key;
    drawGraph(figure, states);
  }
  const signature = `${view.status}|${view.version}|${view.cancel_requested ?? ''}|${view.jobs.map((j) => `${j.status}:${j.attempts}`).join(',')}`;
  if (signature !== seen) {
    seen = signature;
    root.dataset.status = view.status;
    reread();
  }
}

let stop = null;
function followRun() {
  if (stop !== null) return;
  stop = follow(`/v1/workflow-runs/${encodeURIComponent(id)}/events`, {
    workflow: show,
    end: () => {
      stop?.();
      stop = null;
      reread();
    },
  });
}
followRun();

// Resumed from elsewhere (the CLI, another page): follow it again.
onChanges((change) => {
  if (stop === null && (change.more || change.workflow_runs.includes(id))) followRun();
});

root.addEventListener('click', async (event) => {
  const button = event.target.closest('button[data-action]');
  if (!button || button.disabled) return;
  const action = button.dataset.action;
  button.disabled = true;
  try {
    const view = await api('POST', `/v1/workflow-runs/${encodeURIComponent(id)}/${action}`, {});
    flash(action === 'cancel' ? 'Cancel requested: stopping the jobs in flight.' : `Resumed: attempt ${view.attempt}.`);
    show(view);
    followRun();
  } catch (error) {
    flash(error.message, 'error');
    button.disabled = false;
  }
});
