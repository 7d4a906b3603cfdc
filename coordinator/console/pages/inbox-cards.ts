import { html } from 'hono/html';
import type { QuestionView } from '../../../protocol/questions.js';
import { statusBadge, timeAgo } from '../format.js';
import { renderMarkdown } from '../render-events.js';

const URGENCY_RANK = { high: 0, normal: 1, low: 2 } as const;

/**
 * The order of the open inbox: most urgent first (high, normal, low); within one urgency, the one that
 * expires soonest first (those without a timeout after them), then the one waiting longest. Pure.
 */
export function inboxOrder(a: QuestionView, b: QuestionView): number {
  const byUrgency = URGENCY_RANK[a.urgency] - URGENCY_RANK[b.urgency];
  if (byUrgency !== 0) return byUrgency;
  const ta = a.timeout_at === null ? Infinity : Date.parse(a.timeout_at);
  const tb = b.timeout_at === null ? Infinity : Date.parse(b.timeout_at);
  if (ta !== tb) return ta < tb ? -1 : 1;
  return Date.parse(a.created_at) - Date.parse(b.created_at) || (a.question_id < b.question_id ? -1 : 1);
}

/** Who asks: the session (a link), its agent, its tree's root when it is another session. */
function asker(q: QuestionView) {
  return html`<a href="/sessions/${encodeURIComponent(q.session_id)}">${q.session_id}</a>${
    q.agent === null || q.agent === undefined ? '' : html` · agent <a href="/agents/${encodeURIComponent(q.agent)}">${q.agent}</a>`
  }${q.root_session_id === q.session_id ? '' : html` · tree <a href="/sessions/${encodeURIComponent(q.root_session_id)}">${q.root_session_id}</a>`}`;
}

/** When it expires (kept counting down by inbox.js), and what happens then. */
function expiry(q: QuestionView) {
  if (q.timeout_at === null) return '';
  const then = q.on_timeout === null ? 'then it closes unanswered' : `then it is ${q.on_timeout === 'allow' ? 'allowed' : 'denied'}`;
  return html`<p class="q-expiry">Expires <time datetime="${q.timeout_at}" data-until title="${q.timeout_at}">at ${q.timeout_at}</time> (${then}).</p>`;
}

/** The controls that answer it: Allow / Deny for an approval, a button per option, or a text box. */
function answerForm(q: QuestionView) {
  const id = q.question_id;
  const note = html`<label for="note-${id}">Note to the agent <span class="muted">(optional)</span></label>
<textarea id="note-${id}" name="message" rows="2"></textarea>`;
  const body =
    q.kind === 'approval'
      ? html`${note}
<label class="q-remember" for="remember-${id}"><input type="checkbox" id="remember-${id}" name="remember"> Allow <code>${q.subject?.tool ?? ''}</code> for the rest of this session</label>
<div class="q-buttons"><button type="submit" name="decision" value="allow" class="primary">Allow</button><button type="submit" name="decision" value="deny" class="danger">Deny</button></div>`
      : q.options !== null
        ? html`<div class="q-buttons q-options" data-field="choice">${q.options.map((option, i) => html`<button type="submit" name="choice" value="${i}">${option}</button>`)}</div>
${note}`
        : html`<label for="text-${id}">Your answer</label>
<textarea id="text-${id}" name="text" rows="3" required></textarea>
<div class="q-buttons"><button type="submit" class="primary">Send</button></div>`;
  return html`<form class="q-answer stack" data-question="${id}" data-kind="${q.kind}" novalidate>
<p class="form-error" role="alert"></p>
${body}
</form>`;
}

/**
 * One open question or approval as a card: who asks, when, the question (text, its lines kept), an
 * approval's exact tool call, the details (markdown: call markdownReady first), the answer controls.
 */
export function openCard(q: QuestionView) {
  const label = q.kind === 'approval' ? 'Approval' : q.options !== null ? 'Question (choose one)' : 'Question';
  return html`<article class="card q-card urgency-${q.urgency}" id="q-${q.question_id}" data-question="${q.question_id}" aria-labelledby="q-${q.question_id}-text">
<header class="q-head"><span class="q-kind">${label}</span>${q.urgency === 'normal' ? '' : html` <span class="q-urgency">${q.urgency === 'high' ? 'urgent' : 'low urgency'}</span>`}
<span class="muted">asked ${timeAgo(q.created_at)}</span></header>
<p class="q-who">${asker(q)}</p>
<p class="q-text" id="q-${q.question_id}-text">${q.question}</p>
${
  q.subject === null
    ? ''
    : html`<div class="q-subject"><p>Tool call: <code class="q-tool">${q.subject.tool}</code></p><pre class="q-input">${JSON.stringify(q.subject.input, null, 2)}</pre></div>`
}
${q.details === null || q.details === '' ? '' : html`<details class="q-details" open><summary>Details</summary><div class="q-details-text markdown">${renderMarkdown(q.details)}</div></details>`}
${expiry(q)}
${answerForm(q)}
</article>`;
}

/** How a closed question ended, in a few words (the answer, the note, who). */
export function closedAnswer(q: QuestionView): string {
  const a = q.answer;
  const what =
    a === null
      ? ''
      : a.decision !== undefined
        ? `${a.decision}${a.remember === true ? ' (for this session)' : ''}`
        : a.choice !== undefined
          ? (a.choice_text ?? `option ${a.choice}`)
          : (a.text ?? '');
  return `${what}${a?.message === undefined || a.message === '' ? '' : ` — ${a.message}`}`;
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** One recently closed question as a list item: status, question, answer, who, when, session. */
export function closedItem(q: QuestionView) {
  const answer = closedAnswer(q);
  return html`<li data-question="${q.question_id}">
<div class="q-closed-head">${statusBadge(q.status)} <span class="q-kind">${q.kind}</span> <span class="muted">${timeAgo(q.answered_at)}</span>
${q.answered_by === null ? '' : html`<span class="q-by">by ${q.answered_by}</span>`}</div>
<div class="q-closed-text">${clip(q.subject === null ? q.question : `${q.question} ${JSON.stringify(q.subject.input)}`, 300)}</div>
${answer === '' ? '' : html`<div class="q-closed-answer">→ ${clip(answer, 300)}</div>`}
<div class="muted q-closed-session"><a href="/sessions/${encodeURIComponent(q.session_id)}">${q.session_id}</a>${q.agent === null || q.agent === undefined ? '' : html` · ${q.agent}`}</div>
</li>`;
}
