import type { Hono } from 'hono';
import { html } from 'hono/html';
import type { z } from 'zod';
import type { EventPageSchema } from '../../../protocol/events.js';
import type { RunView, SessionView } from '../../../protocol/sessions.js';
import { isSessionEnded } from '../../../protocol/statuses.js';
import type { SessionTree, TreeNode } from '../../../protocol/tree.js';
import { fragment, type ConsoleDeps, type ConsoleEnv } from '../console-page.js';
import { duration, money, statusBadge, timeAgo } from '../format.js';
import { markdownReady, prettyJson, renderEvents, renderMarkdown } from '../render-events.js';
import { nodeName, renderTree, tokens } from '../render-tree.js';

type EventPage = z.infer<typeof EventPageSchema>;

/** Events the page is rendered with; the event feed reads the rest (and every new one) after it opens. */
const FIRST_EVENTS = 500;

/** What the page shows, read through the API: the session, its tree (from its root), its runs. */
interface SessionData {
  session: SessionView;
  /** Null where no part asked shows it (the outcome alone). */
  tree: SessionTree | null;
  runs: RunView[];
}

/** Read what `parts` need of a session: always the session, its tree unless only the outcome is asked, its runs for the outcome. */
async function readSession(deps: ConsoleDeps, id: string, parts: { tree: boolean; runs: boolean } = { tree: true, runs: true }): Promise<SessionData> {
  const path = `/v1/sessions/${encodeURIComponent(id)}`;
  // The result is markdown: the renderer loads on the first page that needs it.
  const [session] = await Promise.all([deps.api<SessionView>(path), markdownReady()]);
  const [tree, runs] = await Promise.all([
    parts.tree ? deps.api<SessionTree>(`/v1/sessions/${encodeURIComponent(session.root_session_id)}/tree`) : null,
    parts.runs ? deps.api<{ runs: RunView[] }>(`${path}/runs`).then((r) => r.runs) : [],
  ]);
  return { session, tree, runs };
}

function findNode(node: TreeNode, id: string): TreeNode | null {
  if (node.session_id === id) return node;
  for (const child of node.children) {
    const found = findNode(child, id);
    if (found !== null) return found;
  }
  return null;
}

/** Its descendants (as far as the tree read reaches) with a run in flight. */
function descendantsInFlight(node: TreeNode): number {
  return node.children.reduce((n, child) => n + (isSessionEnded(child.status) ? 0 : 1) + descendantsInFlight(child), 0);
}

const link = (id: string | null) => (id === null ? html`<span class="muted">–</span>` : html`<a class="mono" href="/sessions/${encodeURIComponent(id)}">${id}</a>`);

function budgetLeft(session: SessionView) {
  const left = session.budget_left;
  if (left === null || left === undefined) return html`<span class="muted">no budget</span>`;
  const parts = [
    left.usd === undefined ? null : money(left.usd),
    left.tokens === undefined ? null : `${Math.floor(left.tokens).toLocaleString('en-US')} tokens`,
    left.wall_s === undefined ? null : duration(left.wall_s * 1000),
    left.max_sessions === undefined ? null : `${left.max_sessions} sessions`,
  ].filter((p) => p !== null);
  return parts.length === 0 ? html`<span class="muted">no spending limit</span>` : html`${parts.join(' · ')} left`;
}

const none = html`<span class="muted">–</span>`;

/** The model its latest run was given, then its fallbacks in order (agent and routing supplied: shown as text). */
function modelOf(s: SessionView, latest: RunView | undefined) {
  const model = latest?.model ?? s.model ?? null;
  if (model === null) return none;
  const fallbacks = (latest?.models ?? []).filter((m) => m !== model);
  return html`<span class="mono" id="session-model">${model}</span>${fallbacks.length === 0 ? '' : html` <span class="muted">then</span> <span class="mono" id="session-fallbacks">${fallbacks.join(', ')}</span>`}`;
}

/** The session's facts: status, agent, executor, runner, kind, skills, model, credential profile, times, cost, usage, its tree's totals, budget left. */
function factsPart({ session: s, tree, runs }: SessionData) {
  const latest = runs.find((r) => r.run_id === s.last_run_id) ?? runs[runs.length - 1];
  const skills = s.skills ?? [];
  const node = tree === null ? null : findNode(tree.root, s.session_id);
  const took = node?.duration_ms ?? null;
  const fact = (label: string, value: unknown) => html`<div><dt>${label}</dt><dd>${value}</dd></div>`;
  return html`<dl class="facts" data-status="${s.status}" data-ended="${isSessionEnded(s.status) ? '1' : '0'}" data-retryable="${s.workflow_run_id === null || s.workflow_run_id === undefined ? '1' : '0'}">
${fact('Status', html`${statusBadge(s.status)}${s.waiting_for_input === true ? html` <a class="status status-waiting" href="/inbox">waits for input</a>` : ''}`)}
${fact('Agent', s.agent === null ? html`<span class="muted">(none)</span>` : html`<a href="/agents/${encodeURIComponent(s.agent)}">${s.agent}</a>`)}
${fact('Executor', s.executor ?? '–')}
${fact('Runner', s.runner_id === null ? html`<span class="muted">–</span>` : html`<span class="mono">${s.runner_id}</span>`)}
${fact('Kind', s.kind === null || s.kind === undefined ? none : html`<span id="session-kind">${s.kind}</span>`)}
${fact('Skills', skills.length === 0 ? none : html`<span id="session-skills">${skills.map((name, i) => html`${i === 0 ? '' : ', '}<code>${name}</code>`)}</span>`)}
${fact('Model', modelOf(s, latest))}
${fact('Credentials', latest?.credential_profile === null || latest?.credential_profile === undefined ? none : html`<span class="mono" id="session-profile">${latest.credential_profile}</span>`)}
${fact('Created', timeAgo(s.created_at))}
${fact('Duration', took === null ? html`<span class="muted">not started</span>` : duration(took))}
${fact('Cost', money(s.totals.cost_usd))}
${fact('Usage', html`${s.totals.input_tokens.toLocaleString('en-US')} in · ${s.totals.output_tokens.toLocaleString('en-US')} out${s.totals.cache_read_input_tokens > 0 ? ` · ${s.totals.cache_read_input_tokens.toLocaleString('en-US')} cache read` : ''}`)}
${fact('Tree', html`${money(s.tree_totals.cost_usd)} · ${tokens(s.tree_totals)} · ${s.descendants_count} below`)}
${fact('Budget', budgetLeft(s))}
${fact('Tags', s.tags.length === 0 ? html`<span class="muted">–</span>` : s.tags.join(', '))}
${s.project_dir === null ? '' : fact('Project', html`<span class="mono">${s.project_dir}</span>`)}
${fact('Parent', link(s.parent_session_id))}
${s.root_session_id === s.session_id ? '' : fact('Root', link(s.root_session_id))}
</dl>
${s.waiting === null || s.waiting === undefined ? '' : html`<p class="hint waiting">Waiting: ${s.waiting.message}</p>`}
${s.stop_reason === null ? '' : html`<p class="problem">Stopped by the coordinator: <code>${prettyJson(s.stop_reason)}</code></p>`}`;
}

/** How a run ended: its outcome's kind, then its message and error where they say more. */
function exitOf(r: RunView) {
  const kind = r.outcome?.kind ?? '';
  const message = r.outcome?.message;
  const said = message === undefined || message === kind ? '' : html` <span class="muted">${message}</span>`;
  const error = r.error === null || r.error === message || r.error === kind ? '' : html` <span class="problem">${r.error}</span>`;
  return html`${kind}${said}${error}`;
}

/** What run ended how: attempt, mode, status, runner, exit (outcome kind and message, or error), times. */
function runsTable(runs: RunView[]) {
  if (runs.length === 0) return html`<p class="muted">No run.</p>`;
  return html`<div class="table-wrap"><table id="runs">
<thead><tr><th>Run</th><th>Mode</th><th>Status</th><th class="num">Attempt</th><th class="hide-narrow">Runner</th><th class="hide-narrow">Model</th><th>Exit</th><th class="hide-narrow">Started</th><th class="hide-narrow">Finished</th></tr></thead>
<tbody>${runs.map(
    (r) => html`<tr data-run="${r.run_id}"><td class="mono">${r.run_id.slice(0, 12)}</td><td>${r.mode}</td><td>${statusBadge(r.status)}${r.stop_requested && r.finished_at === null ? html` <span class="muted">stopping</span>` : ''}</td>
<td class="num">${r.attempt}/${r.max_attempts}</td><td class="hide-narrow mono">${r.runner_id ?? '–'}</td>
<td class="hide-narrow mono run-model" title="${(r.models ?? []).join(' → ')}">${r.model ?? '–'}${r.credential_profile === null || r.credential_profile === undefined ? '' : html` <span class="muted">(${r.credential_profile})</span>`}</td>
<td class="exit">${exitOf(r)}</td>
<td class="hide-narrow">${timeAgo(r.started_at)}</td><td class="hide-narrow">${timeAgo(r.finished_at)}</td></tr>`,
  )}</tbody></table></div>`;
}

/** The session's result (text as markdown, `result_data` as JSON, both escaped) and its runs. */
function outcomePart({ session: s, runs }: SessionData) {
  const r = s.result;
  const result =
    r === null
      ? html`<p class="muted">${isSessionEnded(s.status) ? 'No result was reported.' : 'No result yet.'}</p>`
      : html`${r.is_error === true ? html`<p>${statusBadge('failed')} the executor reported an error</p>` : ''}
${r.result_text === undefined || r.result_text === '' ? '' : html`<div class="markdown card" id="result-text">${renderMarkdown(r.result_text)}</div>`}
${r.result_data === undefined ? '' : html`<h3>result_data</h3><pre id="result-data">${prettyJson(r.result_data)}</pre>`}`;
  return html`<h2>Result</h2>${result}<h2>Runs</h2>${runsTable(runs)}`;
}

/** Resume (a chat box), stop (with the cascade choice, confirmed), retry: each sent to the API by session.js. */
function actionsPart({ session: s, tree }: SessionData) {
  const ended = isSessionEnded(s.status);
  const node = tree === null ? null : findNode(tree.root, s.session_id);
  const canStop = !ended || (node !== null && descendantsInFlight(node) > 0);
  const retryable = s.workflow_run_id === null || s.workflow_run_id === undefined;
  const off = (disabled: boolean) => (disabled ? html` disabled` : '');
  return html`<section id="actions" aria-label="Actions">
<form id="resume-form" class="stack" novalidate>
<label for="resume-prompt">Continue this session</label>
<textarea id="resume-prompt" name="prompt" rows="3" placeholder="A new prompt: the agent continues where it left off"></textarea>
<p class="form-error" role="alert"></p>
<div class="buttons"><button type="submit" class="primary" id="resume-button"${off(!ended)}>Resume</button> <span class="hint">A new run of this session (<code>sessions resume</code>); once its run has ended.</span></div>
</form>
<div class="action-row">
<form id="stop-form" class="inline">
<label class="check" for="stop-cascade"><input type="checkbox" id="stop-cascade" name="cascade" checked> also stop its descendants</label>
<button type="submit" class="danger" id="stop-button"${off(!canStop)}>Stop…</button>
<span id="stop-confirm" class="confirm" hidden><span id="stop-question">Stop this session?</span> <button type="button" class="danger" id="stop-yes">Yes, stop</button> <button type="button" id="stop-no">Cancel</button></span>
<p class="form-error" role="alert"></p>
</form>
<form id="retry-form" class="inline">
<button type="submit" id="retry-button"${off(!ended || !retryable)}>Retry as a new session</button>
<p class="form-error" role="alert"></p>
</form>
</div>
</section>`;
}

const FRAGMENTS = {
  facts: factsPart,
  tree: (d: SessionData) => (d.tree === null ? html`` : renderTree(d.tree, d.session.session_id)),
  outcome: outcomePart,
} as const;

/**
 * `/sessions/:id`: a session and its tree, live. Its facts, its tree (from its root, itself highlighted),
 * its events (the event feed), its result and runs; resume, stop (cascade choice), retry. session.js
 * reads the parts again (`?fragment=facts|tree|outcome`) when GET /v1/changes names the session, its
 * tree's root or a session of its tree.
 */
export function mountSessionPages(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  app.get('/sessions/:id', async (c) => {
    const id = c.req.param('id');
    const part = c.req.query('fragment');
    if (part !== undefined && Object.hasOwn(FRAGMENTS, part)) {
      // The facts show the latest run's model and credential profile: they read the runs too.
      const data = await readSession(deps, id, { tree: part !== 'outcome', runs: part !== 'tree' });
      return fragment(c, FRAGMENTS[part as keyof typeof FRAGMENTS](data));
    }
    const data = await readSession(deps, id);
    const s = data.session;
    const events = await deps.api<EventPage>(`/v1/sessions/${encodeURIComponent(s.session_id)}/events?after=0&limit=${FIRST_EVENTS}`);
    const base = `/sessions/${encodeURIComponent(s.session_id)}`;
    const body = html`<div id="session" data-session="${s.session_id}" data-root="${s.root_session_id}">
<div id="facts" data-fragment="${base}?fragment=facts">${factsPart(data)}</div>
<details class="prompt"><summary>Prompt</summary><pre id="prompt">${s.prompt}</pre></details>
${actionsPart(data)}
<div class="session-grid">
<section aria-labelledby="tree-title"><h2 id="tree-title">Tree</h2><div id="tree" data-fragment="${base}?fragment=tree">${FRAGMENTS.tree(data)}</div></section>
<section aria-labelledby="events-title"><h2 id="events-title">Events</h2>
<div id="events" class="feed" data-last-seq="${events.next_after}" aria-live="off">${renderEvents(events.events)}</div>
${events.events.length === 0 ? html`<p class="muted" id="no-events">No event yet.</p>` : ''}</section>
</div>
<div id="outcome" data-fragment="${base}?fragment=outcome">${outcomePart(data)}</div>
</div>`;
    return deps.render(c, { title: `${nodeName(s)} · ${s.session_id}`, section: '/sessions', body, scripts: ['session.js'] });
  });
}
