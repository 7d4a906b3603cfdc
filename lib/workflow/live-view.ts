/**
 * What `workflow run` and `workflow show` print while a run goes on: a line per job and a summary, redrawn
 * from each new view of the run; and, with `--json`, one JSON line per job that changed. Pure: a view in,
 * lines out (`now` for the elapsed time of what still runs). Everything an agent or a file wrote (labels,
 * reasons, ids) goes through terminalText, so it cannot steer the terminal.
 */
import type { JobStatus, WorkflowJobView, WorkflowRunView } from '../../protocol/workflows.js';
import { formatDuration } from '../cli/format-values.js';
import { styleOf, type Style } from '../cli/style.js';
import { terminalText } from '../cli/terminal-text.js';

export interface LiveViewOptions {
  /** Columns of the terminal: no line is longer. */
  width: number;
  color: boolean;
  /** The time now, ms since the epoch (default Date.now()): elapsed time of running jobs and of the run. */
  now?: number;
}

/** Longest job id shown before it is cut. */
const MAX_ID_COLUMNS = 24;
/** Narrowest label worth showing; with less room the label is left out. */
const MIN_LABEL_COLUMNS = 8;

/** A job's status as one glyph, coloured. */
export function jobIcon(status: JobStatus, style: Style): string {
  switch (status) {
    case 'pending':
      return style.dim('·');
    case 'queued':
      return style.dim('◌');
    case 'running':
      return style.cyan('●');
    case 'waiting':
      return style.yellow('◆');
    case 'succeeded':
      return style.green('✔');
    case 'failed':
      return style.red('✘');
    case 'cancelled':
      return style.yellow('⊘');
    case 'skipped':
      return style.dim('↷');
  }
}

const columns = (text: string): number => Array.from(text).length;

/** `text` cut to `max` columns, ending with `…` when cut. */
function fit(text: string, max: number): string {
  if (max <= 0) return '';
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

const since = (iso: string | null, now: number): number | null => {
  if (iso === null) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : Math.max(0, now - t);
};

/** The job's facts right of its label: status, duration, cost, attempts, matrix progress, a retry's wait. */
function jobFacts(job: WorkflowJobView, now: number): string[] {
  const facts: string[] = [job.status];
  const ms = job.duration_ms ?? (job.status === 'running' || job.status === 'waiting' ? since(job.started_at, now) : null);
  if (ms !== null) facts.push(formatDuration(ms));
  if (job.cost_usd > 0) facts.push(`$${job.cost_usd.toFixed(4)}`);
  if (job.attempts > 1) facts.push(`×${job.attempts}`);
  if (job.matrix !== null) facts.push(`${job.matrix.done}/${job.matrix.total}${job.matrix.failed > 0 ? ` ✘${job.matrix.failed}` : ''}`);
  const retries = job.tasks.map((task) => (task.retry_at === null ? null : Date.parse(task.retry_at))).filter((t): t is number => t !== null && t > now);
  if (retries.length > 0) facts.push(`retry in ${formatDuration(Math.min(...retries) - now)}`);
  return facts;
}

/**
 * The run as terminal lines: one per job (icon, id, label and why it failed or was skipped, then status,
 * duration, cost, attempts, matrix n/m), then `done/total · $cost · elapsed` and, once it ended, how.
 */
export function renderWorkflowLive(view: WorkflowRunView, options: LiveViewOptions): string[] {
  const style = styleOf(options.color);
  const now = options.now ?? Date.now();
  const width = Math.max(20, Math.floor(options.width));
  const idLimit = Math.min(MAX_ID_COLUMNS, Math.floor(width / 3));
  const ids = view.jobs.map((job) => fit(terminalText(job.id), idLimit));
  const idColumns = Math.max(0, ...ids.map(columns));
  const lines = view.jobs.map((job, i) => {
    const id = ids[i]!.padEnd(idColumns);
    // `icon id ` then the label, at least one space, and the facts flush right.
    const available = width - 2 - idColumns - 1;
    const facts = fit(jobFacts(job, now).join(' '), available - 1);
    const about = job.reason !== null && job.status !== 'succeeded' ? `${job.label} — ${job.reason}` : job.label;
    const room = available - columns(facts) - 2;
    const label = room >= MIN_LABEL_COLUMNS ? fit(terminalText(about), room) : '';
    const gap = ' '.repeat(Math.max(1, available - columns(label) - columns(facts)));
    const paint = job.status === 'failed' ? style.red : job.status === 'succeeded' ? style.green : job.status === 'running' ? style.cyan : style.dim;
    return `${jobIcon(job.status, style)} ${style.bold(id)} ${style.dim(label)}${gap}${paint(facts)}`.trimEnd();
  });
  lines.push(summaryLine(view, now, width, style));
  return lines;
}

function summaryLine(view: WorkflowRunView, now: number, width: number, style: Style): string {
  const c = view.counts;
  const elapsed = view.duration_ms ?? since(view.created_at, now);
  const parts = [`${c.done}/${c.total} done`, `$${view.totals.cost_usd.toFixed(4)}`, elapsed === null ? '-' : formatDuration(elapsed)];
  if (c.failed > 0) parts.push(`${c.failed} failed`);
  if (c.skipped > 0) parts.push(`${c.skipped} skipped`);
  if (view.status !== 'running') parts.push(view.status);
  const text = fit(parts.join(' · '), width);
  return view.status === 'failed' ? style.red(text) : view.status === 'succeeded' ? style.green(text) : style.bold(text);
}

/** One `--json` line of a job that changed. */
export interface JobChangeLine {
  type: 'job';
  workflow_run_id: string;
  job: string;
  status: JobStatus;
  previous_status: JobStatus | null;
  result: WorkflowJobView['result'];
  attempts: number;
  duration_ms: number | null;
  cost_usd: number;
  reason: string | null;
  outputs: Record<string, unknown> | null;
  matrix: WorkflowJobView['matrix'];
}

/**
 * The `--json` lines between two views of a run (`prev` null: the first view): one per job whose status
 * or attempts changed (every job on the first view), then `{type: "workflow", …}` once the run has ended.
 * Text is kept exact (JSON escapes it); each string is one line.
 */
export function renderWorkflowJsonLines(prev: WorkflowRunView | null, next: WorkflowRunView): string[] {
  const before = new Map((prev?.jobs ?? []).map((job) => [job.id, job]));
  const lines: string[] = [];
  for (const job of next.jobs) {
    const old = before.get(job.id);
    if (old !== undefined && old.status === job.status && old.attempts === job.attempts) continue;
    const line: JobChangeLine = {
      type: 'job',
      workflow_run_id: next.workflow_run_id,
      job: job.id,
      status: job.status,
      previous_status: old?.status ?? null,
      result: job.result,
      attempts: job.attempts,
      duration_ms: job.duration_ms,
      cost_usd: job.cost_usd,
      reason: job.reason,
      outputs: job.outputs,
      matrix: job.matrix,
    };
    lines.push(JSON.stringify(line));
  }
  if (next.status !== 'running' && (prev === null || prev.status === 'running')) {
    lines.push(
      JSON.stringify({
        type: 'workflow',
        workflow_run_id: next.workflow_run_id,
        name: next.name,
        status: next.status,
        error: next.error,
        attempt: next.attempt,
        duration_ms: next.duration_ms,
        cost_usd: next.totals.cost_usd,
        counts: next.counts,
      }),
    );
  }
  return lines;
}
