import { formatDuration } from '../../protocol/duration.js';
import type { RunView, SessionView, Waiting } from '../../protocol/sessions.js';
import { totalTokens } from '../../protocol/tree.js';
import { LABEL_WIDTH } from './render-event.js';
import type { Style } from './style.js';
import { terminalText } from './terminal-text.js';

/** How long the run took, from when it was queued to when it ended (what the user waited), in ms; null if unknown. */
export function runDurationMs(run: Pick<RunView, 'created_at' | 'finished_at'>): number | null {
  if (run.finished_at === null) return null;
  const ms = Date.parse(run.finished_at) - Date.parse(run.created_at);
  return Number.isFinite(ms) ? Math.max(0, ms) : null;
}

/**
 * What the session's tree cost, in USD: every run of the session and of its descendants (its
 * `tree_totals`); null when nothing was counted (and from a coordinator that keeps no totals, the latest
 * run's reported cost).
 */
export function runCostUsd(session: Pick<SessionView, 'usage'> & Partial<Pick<SessionView, 'tree_totals'>>): number | null {
  const tree = session.tree_totals;
  const cost = tree === undefined ? session.usage?.cost_usd : tree.cost_usd > 0 || totalTokens(tree) > 0 ? tree.cost_usd : null;
  return typeof cost === 'number' && Number.isFinite(cost) ? cost : null;
}

/**
 * The closing line of `run`: outcome, duration and the tree's cost, and for anything but success the reason, once
 * (`✔ succeeded in 4.2s · $0.0123`, `✘ failed in 2.4s: infrastructure failure (exit 75): …`).
 */
export function renderRunEnding(run: RunView, session: Parameters<typeof runCostUsd>[0], succeeded: boolean, style: Style): string {
  const duration = runDurationMs(run);
  const cost = runCostUsd(session);
  const status = run.status.replace('_', ' ');
  const head = `${status}${duration === null ? '' : ` in ${formatDuration(duration)}`}${cost === null ? '' : ` · $${cost.toFixed(4)}`}`;
  if (succeeded) return style.green(`✔ ${head}`);
  const reason = run.error ?? run.outcome?.message ?? '';
  const why = reason === '' || reason === run.status ? '' : `: ${terminalText(reason.replace(/\s+/g, ' ').trim())}`;
  return style.red(`✘ ${head}${why}`);
}

/** A queued run's placement problem as a line of `run`'s stream (said at once, not after the placement timeout). */
export function renderWaiting(waiting: Waiting, style: Style): string {
  return style.yellow(`  ${'waiting'.padEnd(LABEL_WIDTH)}${terminalText(waiting.message)}`);
}

/** Whether the waiting says no online runner can take the run (as opposed to a retry delay or busy runners). */
export function isUnplaceable(waiting: Waiting | null | undefined): waiting is Waiting {
  return waiting?.reason === 'no_runner_online' || waiting?.reason === 'no_runner_serves';
}
