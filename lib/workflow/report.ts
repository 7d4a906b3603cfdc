/**
 * The execution report of a workflow run (`workflow show WR_ID --report`): markdown for a pull request, a
 * chat or a file. Everything an agent wrote (outputs, errors, labels) is escaped, so it can neither break
 * the tables nor inject links, HTML or terminal escape sequences. Pure, over the API's view.
 */
import { totalTokens } from '../../protocol/tree.js';
import type { JobStatus, WorkflowJobView, WorkflowRunView } from '../../protocol/workflows.js';
import { formatCount, formatDuration } from '../cli/format-values.js';
import { terminalText } from '../cli/terminal-text.js';
import { criticalPath } from './critical-path.js';

export { criticalPath, type CriticalPath } from './critical-path.js';

/** Longest text of one table cell or list item before it is cut with `…`. */
export const MAX_CELL_CHARS = 160;
/** Most outputs of one job shown in its row. */
const MAX_OUTPUTS_SHOWN = 5;

const JOB_ICONS: Record<JobStatus, string> = {
  pending: '⏳',
  queued: '⏳',
  running: '▶️',
  waiting: '⏸️',
  succeeded: '✅',
  failed: '❌',
  cancelled: '⊘',
  skipped: '⏭️',
};
const RUN_ICONS: Record<WorkflowRunView['status'], string> = { running: '▶️', succeeded: '✅', failed: '❌', cancelled: '⊘' };

/** Cut `text` to `max` characters (whole code points), ending with `…` when cut. */
export function abbreviate(text: string, max = MAX_CELL_CHARS): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * Text made inert for markdown, on one line (a table cell, a list item): escape sequences removed and
 * control characters shown as `\xNN` (the report is often printed), markdown's punctuation and HTML's
 * `<`/`>`/`&` escaped, line breaks as `<br>`. Cut to MAX_CELL_CHARS first, so an escape is never cut.
 */
export function markdownText(text: string, max = MAX_CELL_CHARS): string {
  const visible = abbreviate(terminalText(text.replace(/\r\n?/g, '\n'), { lines: true }).replace(/\t/g, ' '), max);
  return visible
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~]/g, (ch) => `\\${ch}`)
    .replace(/\n/g, '<br>');
}

/** A value as short text: strings as they are, anything else as JSON. */
function valueText(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? String(value);
}

/** A job id: as code when it is a plain word (what ids are), else escaped text. */
const jobId = (id: string): string => (/^[\w.-]{1,80}$/.test(id) ? `\`${id}\`` : markdownText(id, 80));

const cost = (usd: number): string => `$${usd.toFixed(4)}`;
const duration = (ms: number | null): string => (ms === null ? '-' : formatDuration(ms));

function outputsCell(job: WorkflowJobView): string {
  const entries = Object.entries(job.outputs ?? {});
  if (entries.length === 0) return '';
  const shown = entries.slice(0, MAX_OUTPUTS_SHOWN).map(([name, value]) => `${markdownText(name, 40)}: ${markdownText(valueText(value), 60)}`);
  if (entries.length > MAX_OUTPUTS_SHOWN) shown.push(`… ${entries.length - MAX_OUTPUTS_SHOWN} more`);
  return shown.join('<br>');
}

function jobRow(job: WorkflowJobView): string {
  const matrix = job.matrix === null ? '' : ` (${job.matrix.done}/${job.matrix.total}${job.matrix.failed > 0 ? `, ${job.matrix.failed} failed` : ''})`;
  const status = `${job.status}${job.continue_on_error && job.status === 'failed' ? ' (allowed)' : ''}${matrix}`;
  const cells = [
    JOB_ICONS[job.status] ?? '?',
    jobId(job.id),
    markdownText(job.label, 60),
    status,
    String(job.attempts),
    duration(job.duration_ms),
    cost(job.cost_usd),
    outputsCell(job),
  ];
  return `| ${cells.join(' | ')} |`;
}

/**
 * The report: title, status, trigger, inputs, duration and cost; a table of the jobs (status icon,
 * attempts, duration, cost, outputs abbreviated); the critical path; then the errors and skip reasons.
 */
export function workflowReportMarkdown(view: WorkflowRunView): string {
  const lines: string[] = [];
  lines.push(`# Workflow ${markdownText(view.name, 80)}: ${RUN_ICONS[view.status] ?? '?'} ${view.status}`, '');
  const tokens = totalTokens(view.totals);
  lines.push(`- **Run:** ${markdownText(view.workflow_run_id, 80)}${view.attempt > 1 ? ` (attempt ${view.attempt}: resumed ${view.attempt - 1}×)` : ''}`);
  lines.push(`- **Trigger:** ${view.trigger}`);
  lines.push(`- **Started:** ${view.created_at}${view.ended_at === null ? '' : ` · **Ended:** ${view.ended_at}`}`);
  lines.push(`- **Duration:** ${duration(view.duration_ms)}`);
  lines.push(`- **Cost:** ${cost(view.totals.cost_usd)} (${formatCount(tokens)} tokens)`);
  const c = view.counts;
  lines.push(`- **Jobs:** ${c.done}/${c.total} done · ${c.succeeded} succeeded · ${c.failed} failed · ${c.skipped} skipped · ${c.cancelled} cancelled`);
  if (view.parent_workflow_run_id !== null) {
    lines.push(`- **Nested in:** ${markdownText(view.parent_workflow_run_id, 80)}${view.parent_job === null ? '' : `, job ${markdownText(view.parent_job, 80)}`}`);
  }

  const inputs = Object.entries(view.inputs);
  if (inputs.length > 0) {
    lines.push('', '## Inputs', '', '| Input | Value |', '| --- | --- |');
    for (const [name, value] of inputs) lines.push(`| ${markdownText(name, 60)} | ${markdownText(valueText(value))} |`);
  }

  lines.push('', '## Jobs', '');
  if (view.jobs.length === 0) lines.push('No jobs.');
  else {
    lines.push('| | Job | What | Status | Attempts | Duration | Cost | Outputs |', '| --- | --- | --- | --- | ---: | ---: | ---: | --- |');
    for (const job of view.jobs) lines.push(jobRow(job));
  }

  const path = criticalPath(view);
  if (path.jobs.length > 0) {
    lines.push('', '## Critical path', '');
    lines.push(`${path.jobs.map(jobId).join(' → ')} (${duration(path.total_ms)})`);
  }

  const problems = view.jobs.filter((job) => job.reason !== null && (job.status === 'failed' || job.status === 'skipped' || job.status === 'cancelled' || job.attempts > 1));
  if (view.error !== null || problems.length > 0) {
    lines.push('', '## Errors and skips', '');
    if (view.error !== null) lines.push(`- **Workflow:** ${markdownText(view.error)}`);
    for (const job of problems) lines.push(`- ${jobId(job.id)} ${job.status}: ${markdownText(job.reason!)}`);
  }
  return `${lines.join('\n')}\n`;
}
