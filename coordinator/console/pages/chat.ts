import type { Hono } from 'hono';
import { html } from 'hono/html';
import type { z } from 'zod';
import type { AgentListSchema } from '../../../protocol/agents.js';
import type { EventPageSchema } from '../../../protocol/events.js';
import type { SessionView } from '../../../protocol/sessions.js';
import { ApiReadError } from '../console-api.js';
import { fragment, type ConsoleDeps, type ConsoleEnv } from '../console-page.js';
import { duration, money, statusBadge } from '../format.js';
import { markdownReady, renderEvents } from '../render-events.js';

type AgentList = z.infer<typeof AgentListSchema>;
type EventPage = z.infer<typeof EventPageSchema>;

/** Sessions one turn of the conversation shows (a message starts at most this many: MAX_MENTIONS). */
const MAX_TURN_SESSIONS = 20;
/** Events of a session a turn shows when first read (the feed follows the rest live). */
const TURN_EVENTS = 500;
const SESSION_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** A session's line in a turn: its agent, a link to it, its status, duration and cost. */
function head(s: SessionView) {
  const took = (s.ended_at === null ? Date.now() : Date.parse(s.ended_at)) - Date.parse(s.created_at);
  return html`<a class="agent" href="/sessions/${encodeURIComponent(s.session_id)}">@${s.agent ?? '?'}</a> ${statusBadge(s.status)}${s.waiting_for_input === true ? html` ${statusBadge('waiting')} <a href="/inbox">answer in the Inbox</a>` : ''}
<span class="hint">${s.session_id} · ${duration(Math.max(0, took))} · ${money(s.tree_totals.cost_usd)}</span>`;
}

/** One session of a turn: its head (kept current by chat.js) and its events (followed live by event-feed.js). */
async function sessionBlock(deps: ConsoleDeps, id: string) {
  try {
    const id_ = encodeURIComponent(id);
    // Agent text is markdown: the renderer loads on the first page that needs it.
    const [s, page] = await Promise.all([deps.api<SessionView>(`/v1/sessions/${id_}`), deps.api<EventPage>(`/v1/sessions/${id_}/events?after=0&limit=${TURN_EVENTS}`), markdownReady()]);
    return await html`<section class="chat-session" data-session="${s.session_id}" data-status="${s.status}">
<header class="chat-head" data-head="${s.session_id}">${head(s)}</header>
<div class="feed" data-session="${s.session_id}" data-last-seq="${page.next_after}" aria-live="polite">${renderEvents(page.events)}</div>
</section>`;
  } catch (error) {
    if (!(error instanceof ApiReadError)) throw error;
    return html`<section class="chat-session"><p class="muted">${id}: ${error.status === 404 ? 'this session is gone (deleted or pruned)' : error.message}</p></section>`;
  }
}

/** The ids a fragment request names (`?sessions=a,b`), well-formed ones only. */
function idsOf(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter((id) => SESSION_ID.test(id))
    .slice(0, MAX_TURN_SESSIONS);
}

/**
 * `/chat`: the seed's message routing. A box where `@reviewer look at the last commit` starts a session of
 * `reviewer` (POST /v1/mentions, sent by chat.js), several mentions one each; below it, the conversation
 * of this tab: each message and, under it, the sessions it started with their events live.
 * `/chat/turn?sessions=a,b` answers those sessions' blocks; `&part=head` only the first one's head.
 */
export function mountChatPage(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  app.get('/chat/turn', async (c) => {
    const ids = idsOf(c.req.query('sessions'));
    if (c.req.query('part') === 'head') {
      if (ids[0] === undefined) return fragment(c, html``);
      try {
        return await fragment(c, head(await deps.api<SessionView>(`/v1/sessions/${encodeURIComponent(ids[0])}`)));
      } catch (error) {
        if (error instanceof ApiReadError && error.status === 404) return fragment(c, html`<span class="muted">${ids[0]}: gone</span>`);
        throw error;
      }
    }
    return fragment(c, html`${await Promise.all(ids.map((id) => sessionBlock(deps, id)))}`);
  });

  app.get('/chat', async (c) => {
    const { agents } = await deps.api<AgentList>('/v1/agents');
    const names = agents.map((a) => a.name).sort();
    return deps.render(c, {
      title: 'Chat',
      section: '/chat',
      body: html`<form id="chat-form" class="stack chat-form" novalidate>
<label for="chat-message">Message</label>
<textarea id="chat-message" name="message" rows="3" required placeholder="@reviewer look at the last commit" aria-describedby="chat-hint" autocomplete="off"></textarea>
<p class="form-error" role="alert"></p>
<div class="chat-actions"><button type="submit" class="primary" id="chat-send">Send</button>
<span class="hint" id="chat-hint">Enter sends, Shift+Enter starts a new line. <code>@name</code> at the start addresses an agent (several: one session each); the rest is the prompt.</span></div>
<p class="hint">Agents: ${names.length === 0 ? html`<span class="muted">none yet (create one under <a href="/agents">Agents</a>)</span>` : names.map((n, i) => html`${i > 0 ? ', ' : ''}<code>@${n}</code>`)}</p>
</form>
<div id="conversation" aria-label="Conversation"></div>
<p class="hint">The conversation shown is this tab’s (kept while it is open). Every session it starts is an ordinary session: all are under <a href="/sessions">Sessions</a>.</p>`,
      scripts: ['chat.js'],
    });
  });
}
