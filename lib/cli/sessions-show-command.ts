import type { UserApi } from '../client/user-api.js';
import type { RunnerView } from '../../protocol/runners.js';
import type { RunView, SessionView } from '../../protocol/sessions.js';
import { formatDuration, formatTime, formatTotals, formatUsage, localClock } from './format-values.js';
import { describeRateLimitWait } from '../../protocol/credential-profiles.js';
import { sessionDurationMs } from './sessions-list-command.js';
import { terminalText } from './terminal-text.js';
import { type ClientOptions, withConnection } from './with-connection.js';

/** A session with its latest run (what `sessions show --json` and `sessions wait --json` print). */
export type SessionDetail = SessionView & { last_run: RunView };

/** The session and its latest run. */
export async function readSessionDetail(api: UserApi, id: string): Promise<SessionDetail> {
  const session = await api.getSession(id);
  return { ...session, last_run: await api.getRun(session.last_run_id) };
}

const LABEL = 12;
const indent = ' '.repeat(LABEL);
/** One field a line; the value passes through terminalText (results and errors are the executor's words), continued lines indented. */
const field = (name: string, value: string) => `${name.padEnd(LABEL)}${terminalText(value, { lines: true }).split('\n').join(`\n${indent}`)}`;

/** What a run's outcome says: its kind and how long its executor ran. */
function describeOutcome(run: RunView): string {
  const outcome = run.outcome;
  if (outcome === null) return '-';
  const parts = [outcome.kind ?? run.status];
  if (typeof outcome.duration_ms === 'number') parts.push(`ran ${formatDuration(outcome.duration_ms)}`);
  if (outcome.forcefully_killed === true) parts.push('killed with SIGKILL after the grace period');
  return parts.join(', ');
}

/** The executor's exit code, or the signal that ended it. */
function describeExit(run: RunView): string {
  const outcome = run.outcome;
  if (typeof outcome?.exit_code === 'number') return String(outcome.exit_code);
  if (typeof outcome?.signal === 'string') return `- (ended by ${outcome.signal})`;
  return '-';
}

/** A runner by its id, with its name (`host:pid`) when the coordinator still knows it. */
function describeRunner(id: string | null, runners: readonly RunnerView[]): string {
  if (id === null) return '-';
  const runner = runners.find((r) => r.runner_id === id);
  return runner === undefined ? id : `${id} (${runner.name}${runner.hostname !== null && !runner.name.startsWith(runner.hostname) ? ` on ${runner.hostname}` : ''})`;
}

/** The session's own budget and what the budgets on its tree leave (`usd 5, max_depth 3; left: usd $4.2000, …`). */
function describeBudget(s: SessionDetail): string {
  const own = s.budget === null ? 'none of its own' : Object.entries(s.budget).map(([k, v]) => `${k} ${v}`).join(', ');
  const left = s.budget_left;
  if (left === null || left === undefined) return own;
  const parts: string[] = [];
  if (left.usd !== undefined) parts.push(`usd $${left.usd.toFixed(4)}`);
  if (left.tokens !== undefined) parts.push(`tokens ${Math.round(left.tokens)}`);
  if (left.wall_s !== undefined) parts.push(`wall ${formatDuration(left.wall_s * 1000)}`);
  for (const key of ['max_depth', 'max_children', 'max_sessions'] as const) if (left[key] !== undefined) parts.push(`${key} ${left[key]}`);
  return `${own}; left: ${parts.join(', ')}`;
}

/** Why the coordinator stopped the session's tree: `budget_exceeded: usd 0.61 used of 0.5 (budget of ses_…)`. */
function describeStop(reason: Record<string, unknown>): string {
  return `${String(reason.reason)}: ${String(reason.limit)} ${String(reason.used)} used of ${String(reason.limit_value)} (budget of ${String(reason.session_id)})`;
}

/** The status, and what a queued or running session waits for: a person's answer, a rate limit's reset (local time). */
function describeStatusLine(s: SessionDetail, now: number): string {
  if (s.waiting_for_input === true) return `${s.status}, waiting_for_input (${s.open_questions ?? 1} open question${s.open_questions === 1 ? '' : 's'}: agent-runner inbox)`;
  const wait = s.rate_limit_wait ?? null;
  if (wait === null) return s.status;
  const text = describeRateLimitWait({ parked_until: Date.parse(wait.until), park_profile: wait.profile === null ? null : terminalText(wait.profile) }, now, (at) => localClock(at, now));
  return text === null ? s.status : `${s.status}, ${text}: ${terminalText(wait.reason)}`;
}

/** The model its latest run was given at its claim, then its fallbacks: `claude-sonnet-4-5 (then claude-haiku-4-5)`. */
function describeModel(run: SessionDetail['last_run']): string {
  if (typeof run.model !== 'string') return '-';
  const rest = (run.models ?? []).filter((m) => m !== run.model);
  return rest.length === 0 ? run.model : `${run.model} (then ${rest.join(', ')})`;
}

/** `sessions show`: one field a line, times as `sessions list` shows them. */
export function describeSession(s: SessionDetail, runners: readonly RunnerView[], now = Date.now()): string {
  const run = s.last_run;
  const result = s.result;
  const lines = [
    field('session', s.session_id),
    field('status', describeStatusLine(s, now)),
    field('agent', s.agent ?? '-'),
    field('executor', s.executor ?? '-'),
    field('model', describeModel(run)),
    field('kind', s.kind ?? '-'),
    field('project', s.project_dir ?? '-'),
    field('parent', s.parent_session_id ?? '-'),
    field('created', formatTime(s.created_at)),
    field('ended', formatTime(s.ended_at)),
    field('duration', formatDuration(sessionDurationMs(s, now))),
    field('run', `${run.run_id} (${run.mode}, ${run.status}, attempt ${run.attempt} of ${run.max_attempts})`),
    field('runner', describeRunner(run.runner_id ?? s.runner_id, runners)),
    field('outcome', describeOutcome(run)),
    field('exit code', describeExit(run)),
  ];
  if (s.skills !== undefined && s.skills.length > 0) lines.splice(4, 0, field('skills', s.skills.join(', ')));
  if (run.error !== null) lines.push(field('error', run.error));
  // Its own runs (all of them, cancelled and failed too), its subtree's when it has one, and its latest run's as reported.
  lines.push(field('usage', formatTotals(s.totals)));
  if (s.descendants_count > 0) lines.push(field('tree usage', `${formatTotals(s.tree_totals)} (${s.descendants_count + 1} sessions)`));
  lines.push(field('last run', formatUsage(s.usage)));
  if (s.budget !== null || (s.budget_left ?? null) !== null) lines.push(field('budget', describeBudget(s)));
  if (s.stop_reason !== null) lines.push(field('stopped', describeStop(s.stop_reason)));
  lines.push(field('prompt', s.prompt));
  lines.push(field('result', result?.result_text ?? (result === null ? '-' : result.result_data === undefined ? '-' : '')));
  if (result !== null && result.result_data !== undefined) lines.push(field('result_data', JSON.stringify(result.result_data, null, 2) ?? 'undefined'));
  if (result?.is_error === true) lines.push(field('is_error', 'true (the executor reported its result as an error)'));
  return `${lines.join('\n')}\n`;
}

/** `sessions show ID`: the session, its latest run's outcome and the runner that ran it; `--json` both as JSON. */
export async function showSessionCommand(id: string, options: ClientOptions): Promise<number> {
  return withConnection(options, false, async ({ api }) => {
    const detail = await readSessionDetail(api, id);
    if (options.json) {
      process.stdout.write(`${JSON.stringify(detail, null, 2)}\n`);
      return 0;
    }
    const runners = (await api.listRunners()).runners;
    process.stdout.write(describeSession(detail, runners));
    return 0;
  });
}
