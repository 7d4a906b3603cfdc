import type { Hono } from 'hono';
import { html } from 'hono/html';
import { MAX_PAGE_LIMIT } from '../../../protocol/limits.js';
import type { QuestionView } from '../../../protocol/questions.js';
import { fragment, type ConsoleDeps, type ConsoleEnv } from '../console-page.js';
import { markdownReady } from '../render-events.js';
import { closedItem, inboxOrder, openCard } from './inbox-cards.js';

/** How many closed questions "Recently answered" shows. */
export const RECENT_QUESTIONS = 20;

/** The open questions and approvals, most urgent first (inboxOrder), as cards. */
async function openPart(deps: ConsoleDeps) {
  const { questions } = await deps.api<{ questions: QuestionView[] }>(`/v1/questions?status=open&limit=${MAX_PAGE_LIMIT}`);
  const open = [...questions].sort(inboxOrder);
  if (open.some((q) => q.details !== null && q.details !== '')) await markdownReady();
  const approvals = open.filter((q) => q.kind === 'approval').length;
  const summary =
    open.length === 0
      ? 'Nothing is waiting for an answer.'
      : `${open.length}${open.length === MAX_PAGE_LIMIT ? '+' : ''} waiting: ${approvals} ${approvals === 1 ? 'approval' : 'approvals'}, ${open.length - approvals} ${open.length - approvals === 1 ? 'question' : 'questions'}.`;
  return html`<p class="inbox-summary" data-open="${open.length}">${summary}</p>
<div class="inbox-cards">${open.map(openCard)}</div>`;
}

/** The last questions closed (answered, timed out, cancelled), latest first, with who closed them. */
async function recentPart(deps: ConsoleDeps) {
  const { questions } = await deps.api<{ questions: QuestionView[] }>(`/v1/questions?status=closed&order=recent&limit=${RECENT_QUESTIONS}`);
  if (questions.length === 0) return html`<p class="muted">None yet.</p>`;
  return html`<ul class="inbox-recent">${questions.map(closedItem)}</ul>`;
}

/**
 * `/inbox`: the open questions and approvals, answered from the page (inbox.js sends the answers to the
 * API), and the recently closed ones. `?fragment=open` and `?fragment=recent` answer one part again.
 */
export function mountInboxPage(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  app.get('/inbox', async (c) => {
    const part = c.req.query('fragment');
    if (part === 'open') return fragment(c, await openPart(deps));
    if (part === 'recent') return fragment(c, await recentPart(deps));
    const [open, recent] = await Promise.all([openPart(deps), recentPart(deps)]);
    const body = html`<form class="inline inbox-as" id="answer-as-form">
<label for="answer-as">Answer as <input id="answer-as" name="answer_as" autocomplete="nickname" maxlength="100" placeholder="your name"></label>
<p class="hint">Answers from this page are recorded as <code>console</code>, or <code>console:</code> and this name (kept in this browser).</p>
</form>
<section aria-labelledby="open-heading">
<h2 id="open-heading">Waiting for an answer</h2>
<div id="inbox-open" data-fragment="/inbox?fragment=open">${open}</div>
</section>
<section aria-labelledby="recent-heading">
<h2 id="recent-heading">Recently answered</h2>
<div id="inbox-recent" data-fragment="/inbox?fragment=recent">${recent}</div>
</section>`;
    return deps.render(c, { title: 'Inbox', section: '/inbox', body, scripts: ['inbox.js'] });
  });
}
