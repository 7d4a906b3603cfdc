import type { Context, Hono } from 'hono';
import { html, raw } from 'hono/html';
import type { z } from 'zod';
import type { AgentListSchema } from '../../../protocol/agents.js';
import type { RunnerViewSchema } from '../../../protocol/runners.js';
import { MAX_SESSION_SEARCH_CHARS, type SessionView } from '../../../protocol/sessions.js';
import { SESSION_STATUSES } from '../../../protocol/statuses.js';
import { ApiReadError } from '../console-api.js';
import { fragment, type ConsoleDeps, type ConsoleEnv } from '../console-page.js';
import type { FragmentAnswer } from '../followed-fragment.js';
import { duration, money, statusBadge, timeAgo } from '../format.js';

type Runner = z.infer<typeof RunnerViewSchema>;
type AgentList = z.infer<typeof AgentListSchema>;

/** Sessions per page of the list. */
export const SESSIONS_PAGE_SIZE = 50;
/** How much of a prompt a row shows (the whole of it, up to PROMPT_TITLE_CHARS, on hover). */
const PROMPT_CLIP_CHARS = 140;
const PROMPT_TITLE_CHARS = 1_000;

/** The list's filters, as the page's URL carries them (a GET form: shareable, and the back button works). */
export const LIST_FILTERS = ['status', 'agent', 'executor', 'root', 'q'] as const;
type Filters = Partial<Record<(typeof LIST_FILTERS)[number], string>>;

/** The filters and cursor of a request, empty ones left out (an empty field means "any"). */
function readFilters(c: Context): { filters: Filters; cursor: string | undefined } {
  const filters: Filters = {};
  for (const name of LIST_FILTERS) {
    const value = c.req.query(name)?.trim();
    if (value !== undefined && value !== '') filters[name] = value;
  }
  const cursor = c.req.query('cursor')?.trim();
  return { filters, cursor: cursor === '' ? undefined : cursor };
}

/** The API's query for a page of the list. */
function apiQuery(filters: Filters, cursor: string | undefined): string {
  const params = new URLSearchParams({ ...filters, limit: String(SESSIONS_PAGE_SIZE) });
  if (cursor !== undefined) params.set('cursor', cursor);
  return `/v1/sessions?${params}`;
}

/** This page's URL with these filters (and a cursor). */
function listUrl(filters: Filters, cursor?: string): string {
  const params = new URLSearchParams(filters);
  if (cursor !== undefined) params.set('cursor', cursor);
  const qs = params.toString();
  return qs === '' ? '/sessions' : `/sessions?${qs}`;
}

const clip = (text: string, max: number) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/** How long a session has taken: from its creation to its end, or until now while in flight. */
const elapsed = (s: SessionView, now: number) => (s.ended_at === null ? now : Date.parse(s.ended_at)) - Date.parse(s.created_at);

function row(s: SessionView, runners: Map<string, string>, now: number) {
  const waiting = s.waiting_for_input === true;
  const runner = s.runner_id === null ? null : (runners.get(s.runner_id) ?? s.runner_id);
  return html`<tr data-session="${s.session_id}" data-status="${s.status}">
<td><a class="mono" href="/sessions/${encodeURIComponent(s.session_id)}">${s.session_id}</a>${s.depth > 0 ? html`<div class="hint">depth ${s.depth} of <a href="${listUrl({ root: s.root_session_id })}">its tree</a></div>` : s.descendants_count > 0 ? html`<div class="hint"><a href="${listUrl({ root: s.session_id })}">tree of ${s.descendants_count + 1}</a></div>` : ''}</td>
<td>${statusBadge(s.status)}${waiting ? html` ${statusBadge('waiting')}` : ''}</td>
<td>${s.agent ?? html`<span class="muted">–</span>`}</td>
<td class="hide-narrow">${s.executor ?? html`<span class="muted">–</span>`}</td>
<td class="hide-narrow">${runner ?? html`<span class="muted">–</span>`}</td>
<td>${timeAgo(s.created_at)}</td>
<td class="num hide-narrow">${duration(Math.max(0, elapsed(s, now)))}</td>
<td class="num" title="${s.descendants_count > 0 ? 'its tree’s runs' : 'its runs'}">${money(s.tree_totals.cost_usd)}</td>
<td><div class="clip prompt" title="${clip(s.prompt, PROMPT_TITLE_CHARS)}">${clip(s.prompt, PROMPT_CLIP_CHARS)}</div></td>
</tr>`;
}

/** The table and its pager: the part of the page its script reads again. */
async function listBody(deps: ConsoleDeps, filters: Filters, cursor: string | undefined) {
  const [page, { runners }] = await Promise.all([
    deps.api<{ sessions: SessionView[]; next_cursor: string | null }>(apiQuery(filters, cursor)),
    deps.api<{ runners: Runner[] }>('/v1/runners'),
  ]);
  const names = new Map(runners.map((r) => [r.runner_id, r.name]));
  const now = Date.now();
  const filtered = Object.keys(filters).length > 0;
  const pager = html`<nav class="pager" aria-label="Pages">
${cursor === undefined ? '' : html`<a class="button" href="${listUrl(filters)}" rel="first">← Newest</a>`}
${page.next_cursor === null ? '' : html`<a class="button" href="${listUrl(filters, page.next_cursor)}" rel="next">Older →</a>`}
<span class="hint">${page.sessions.length} shown${cursor === undefined ? ', newest first' : ''}</span>
</nav>`;
  if (page.sessions.length === 0) {
    const none = filters.q !== undefined && page.next_cursor !== null ? 'No match among the sessions searched; older ones may match.' : filtered ? 'No session matches these filters.' : 'No sessions yet. Start one from Chat, or with `agent-runner run`.';
    return html`<p class="muted" id="no-sessions">${none}</p>${pager}`;
  }
  return html`<div class="table-wrap"><table id="sessions-table">
<thead><tr><th>Session</th><th>Status</th><th>Agent</th><th class="hide-narrow">Executor</th><th class="hide-narrow">Runner</th><th>Created</th><th class="num hide-narrow">Duration</th><th class="num">Cost</th><th>Prompt</th></tr></thead>
<tbody>${page.sessions.map((s) => row(s, names, now))}</tbody></table></div>
${pager}`;
}

/** The filter form: a GET form, so a filtered list is a URL. Choices offered from the agents and runners the API knows. */
async function filterForm(deps: ConsoleDeps, filters: Filters) {
  const [{ agents }, { runners }] = await Promise.all([deps.api<AgentList>('/v1/agents'), deps.api<{ runners: Runner[] }>('/v1/runners')]);
  const executors = [...new Set(runners.flatMap((r) => r.executors))].sort();
  return html`<form class="inline filters" method="get" action="/sessions" role="search" aria-label="Filter sessions">
<label for="f-q">Prompt contains<input id="f-q" name="q" type="search" maxlength="${MAX_SESSION_SEARCH_CHARS}" value="${filters.q ?? ''}" placeholder="text"></label>
<label for="f-status">Status<select id="f-status" name="status"><option value="">any</option>${SESSION_STATUSES.map(
    (s) => html`<option value="${s}"${filters.status === s ? html` selected` : ''}>${s}</option>`,
  )}</select></label>
<label for="f-agent">Agent<input id="f-agent" name="agent" list="f-agents" value="${filters.agent ?? ''}" autocomplete="off"></label>
<datalist id="f-agents">${agents.map((a) => html`<option value="${a.name}"></option>`)}</datalist>
<label for="f-executor">Executor<input id="f-executor" name="executor" list="f-executors" value="${filters.executor ?? ''}" autocomplete="off"></label>
<datalist id="f-executors">${executors.map((e) => html`<option value="${e}"></option>`)}</datalist>
<label for="f-root">Tree root<input id="f-root" name="root" value="${filters.root ?? ''}" placeholder="ses_…" autocomplete="off"></label>
<button type="submit" class="primary">Filter</button>
${Object.keys(filters).length > 0 ? html`<a class="button" href="/sessions">Clear</a>` : ''}
</form>`;
}

/** What the API said was wrong with the filters, each on its field's name. */
function refusal(error: ApiReadError) {
  const issues = (error.body as { error?: { details?: { issues?: Array<{ path: string; message: string }> } } } | null)?.error?.details?.issues ?? [];
  return html`<p class="problem" id="filter-error" role="alert">${issues.length === 0 ? error.message : issues.map((i) => `${i.path === 'q' ? 'prompt contains' : i.path}: ${i.message}`).join('; ')}</p>`;
}

/**
 * `/sessions`: every session, newest first, 50 a page, filtered by status, agent, executor, tree root and
 * text in the prompt; kept current by sessions-list.js. `?fragment=body` answers the table and pager alone.
 */
export function mountSessionListPage(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  app.get('/sessions', async (c) => {
    const { filters, cursor } = readFilters(c);
    const answer = async (): Promise<FragmentAnswer> => {
      try {
        return { status: 200, html: String(await listBody(deps, filters, cursor)) };
      } catch (error) {
        if (!(error instanceof ApiReadError) || error.status !== 400) throw error;
        return { status: 400, html: String(refusal(error)) };
      }
    };
    // `rows` too: the name the console benchmark's followers use for this part. Read again by every open
    // page on each change: shared between them (followed-fragment.ts).
    const part = c.req.query('fragment');
    if (part === 'body' || part === 'rows') {
      return fragment(c, (await deps.followed(listUrl(filters, cursor), answer)).html);
    }
    const { status, html: body } = await answer();
    const live = cursor === undefined ? 'first' : 'later';
    return deps.render(
      c,
      {
        title: 'Sessions',
        section: '/sessions',
        body: html`${await filterForm(deps, filters)}
<div id="sessions" data-page="${live}" data-fragment="${listUrl(filters, cursor)}${Object.keys(filters).length > 0 || cursor !== undefined ? '&' : '?'}fragment=body" aria-live="off">${raw(body)}</div>`,
        scripts: ['sessions-list.js'],
      },
      status,
    );
  });
}
