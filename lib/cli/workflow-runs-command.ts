/**
 * The client commands of workflow runs: `workflow list` (the coordinator's workflows), `workflow runs
 * [NAME]`, `workflow show WR_ID [--report]`, `workflow cancel WR_ID`, `workflow resume WR_ID` and
 * `workflow graph WR_ID` (a run's graph with each job's state). Agent text is made safe for the terminal;
 * `--json` prints what the API answered.
 */
import type { WorkflowDef } from '../workflow/model.js';
import { workflowMermaid } from '../workflow/mermaid.js';
import { renderWorkflowLive } from '../workflow/live-view.js';
import { workflowReportMarkdown } from '../workflow/report.js';
import type { JobStatus, WorkflowRunView } from '../../protocol/workflows.js';
import { formatAge, formatDuration, renderTable } from './format-values.js';
import { colorsOn, makeStyle } from './style.js';
import { terminalText } from './terminal-text.js';
import { type ClientOptions, withConnection } from './with-connection.js';
import { followAndPrint, workflowExitCode } from './workflow-run-command.js';

const json = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

/** `workflow list`: name, form, jobs, inputs, schedule and its next slot; the folder's bad files on stderr. */
export async function workflowListCommand(options: ClientOptions): Promise<number> {
  return withConnection(options, false, async ({ api }) => {
    const list = await api.listWorkflows();
    if (options.json) return json(list), 0;
    const style = makeStyle(process.stdout);
    if (list.workflows.length === 0) process.stdout.write('no workflows (the coordinator\'s --workflows-dir holds none)\n');
    else {
      const rows = list.workflows.map((w) => [
        terminalText(w.name), w.form, String(w.jobs), Object.keys(w.inputs).map((n) => terminalText(n)).join(', ') || '-',
        w.schedules.map((s) => terminalText(s.timezone === null ? s.cron : `${s.cron} (${s.timezone})`)).join('; ') || '-', w.next_run_at ?? '-',
        terminalText(w.description ?? ''),
      ]);
      process.stdout.write(renderTable(['NAME', 'FORM', 'JOBS', 'INPUTS', 'SCHEDULE', 'NEXT', 'DESCRIPTION'], rows, style, { columns: process.stdout.columns }));
    }
    for (const p of list.problems) process.stderr.write(`${terminalText(p.file)}: ${terminalText(p.message)}${p.kept ? ' (its last good version is in use)' : ''}\n`);
    return 0;
  });
}

/** `workflow runs [NAME]`: newest first. */
export async function workflowRunsCommand(name: string | undefined, options: ClientOptions & { status?: string; limit?: string }): Promise<number> {
  return withConnection(options, false, async ({ api }) => {
    const page = await api.listWorkflowRuns({ name, status: options.status, limit: options.limit === undefined ? undefined : Number(options.limit) });
    if (options.json) return json(page), 0;
    if (page.workflow_runs.length === 0) return process.stdout.write('no workflow runs\n'), 0;
    const style = makeStyle(process.stdout);
    const rows = page.workflow_runs.map((r) => [
      r.workflow_run_id, terminalText(r.name), r.status, `${r.counts.done}/${r.counts.total}`, r.trigger, formatAge(r.created_at),
      r.duration_ms === null ? '-' : formatDuration(r.duration_ms), `$${r.totals.cost_usd.toFixed(4)}`, terminalText(r.error ?? ''),
    ]);
    process.stdout.write(renderTable(['RUN', 'WORKFLOW', 'STATUS', 'JOBS', 'TRIGGER', 'STARTED', 'DURATION', 'COST', 'ERROR'], rows, style, { columns: process.stdout.columns }));
    return 0;
  });
}

/** `workflow show WR_ID [--report] [--follow]`: the run's jobs (or its markdown execution report); live with --follow. */
export async function workflowShowCommand(id: string, options: ClientOptions & { report?: boolean; follow?: boolean }): Promise<number> {
  return withConnection(options, false, async ({ api }) => {
    if (options.follow === true) {
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGINT', stop);
      try {
        const ended = await followAndPrint(api, id, options, controller.signal);
        return ended === null ? 130 : workflowExitCode(ended.status);
      } finally {
        process.off('SIGINT', stop);
      }
    }
    const view = await api.getWorkflowRun(id);
    if (options.report === true) return process.stdout.write(workflowReportMarkdown(view)), 0;
    if (options.json) return json(view), 0;
    process.stdout.write(`${terminalText(view.name)}  ${view.workflow_run_id}  attempt ${view.attempt}  root ${view.root_session_id}  (${view.trigger})\n`);
    process.stdout.write(`${renderWorkflowLive(view, { width: process.stdout.columns ?? 120, color: colorsOn(process.stdout) }).join('\n')}\n`);
    if (view.error !== null) process.stdout.write(`${terminalText(view.error)}\n`);
    return 0;
  });
}

/** `workflow cancel WR_ID`: stop it (jobs in flight cancelled; always() and cancelled() jobs still run). */
export async function workflowCancelCommand(id: string, options: ClientOptions & { reason?: string }): Promise<number> {
  return withConnection(options, false, async ({ api }) => {
    const view = await api.cancelWorkflowRun(id, options.reason);
    if (options.json) return json(view), 0;
    process.stdout.write(view.status === 'running' ? `cancelling ${id}: its jobs in flight are being stopped\n` : `${id} ${view.status}\n`);
    return 0;
  });
}

/** `workflow resume WR_ID [--follow]`: re-run what failed, was cancelled or skipped (and what needs it), reusing what succeeded. */
export async function workflowResumeCommand(id: string, options: ClientOptions & { follow?: boolean }): Promise<number> {
  return withConnection(options, false, async ({ api }) => {
    const view = await api.resumeWorkflowRun(id);
    if (options.follow !== true) {
      if (options.json) return json(view), 0;
      const again = view.jobs.filter((j) => j.status !== 'succeeded').map((j) => terminalText(j.id));
      process.stdout.write(`resumed ${id} (attempt ${view.attempt}): ${again.length === 0 ? 'nothing to re-run' : `re-running ${again.join(', ')}`}\n`);
      return 0;
    }
    const ended = await followAndPrint(api, id, options, new AbortController().signal);
    return ended === null ? 130 : workflowExitCode(ended.status);
  });
}

/** `workflow graph WR_ID`: the run's graph as Mermaid, each job in its state. */
export async function workflowRunGraphCommand(id: string, options: ClientOptions): Promise<number> {
  return withConnection(options, false, async ({ api }) => {
    const [{ definition }, view] = await Promise.all([api.getWorkflowRunDefinition(id), api.getWorkflowRun(id)]);
    const states = new Map<string, JobStatus>(view.jobs.map((j: WorkflowRunView['jobs'][number]) => [j.id, j.status]));
    process.stdout.write(workflowMermaid(definition as unknown as WorkflowDef, states));
    return 0;
  });
}
