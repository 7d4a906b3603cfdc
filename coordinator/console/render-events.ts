import { html } from 'hono/html';
import MarkdownIt from 'markdown-it';
import { raw } from 'hono/html';
import type { SessionEvent } from '../../protocol/events.js';
import { money, statusBadge } from './format.js';

/**
 * Markdown of agent text: raw HTML off (markdown-it escapes it), links limited to what markdown-it's
 * validateLink allows (no javascript:, vbscript:, file:, data: but images), opened without a referrer.
 * Images from elsewhere do not load (the page's CSP allows only this server and data: images).
 */
const markdown = new MarkdownIt({ html: false, linkify: true, breaks: true });
const defaultLinkOpen = markdown.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
markdown.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx]?.attrSet('rel', 'noopener noreferrer nofollow');
  tokens[idx]?.attrSet('target', '_blank');
  return defaultLinkOpen(tokens, idx, options, env, self);
};

/** Text an agent wrote, as HTML: markdown rendered by markdown-it, which escapes every raw tag. */
export function renderMarkdown(text: string) {
  return raw(markdown.render(text));
}

/** A value as indented JSON (escaped when put in a template). */
export function prettyJson(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const time = (iso: string) => html`<time datetime="${iso}" title="${iso}">${iso.slice(11, 19)}</time>`;

/** Who the event is from when a tree stream tagged it (the agent, or the session's id). */
function origin(e: SessionEvent) {
  if (e.depth === undefined) return '';
  return html`<span class="event-origin" style="--depth:${Math.min(e.depth, 10)}">${e.agent ?? e.session_id}</span>`;
}

function body(e: SessionEvent) {
  const d = e.event as Record<string, unknown>;
  switch (e.type) {
    case 'message': {
      const role = str(d.role) ?? 'assistant';
      return html`<div class="event-label">${role}</div><div class="markdown">${renderMarkdown(str(d.text) ?? '')}</div>`;
    }
    case 'tool_call':
      return html`<details><summary><span class="event-label">tool call</span> <code>${str(d.name) ?? '?'}</code>${str(d.id) === undefined ? '' : html` <span class="muted">${str(d.id)}</span>`}</summary><pre>${prettyJson(d.input ?? null)}</pre></details>`;
    case 'tool_result':
      return html`<details><summary><span class="event-label">tool result</span> <code>${str(d.name) ?? str(d.id) ?? ''}</code>${d.is_error === true ? html` <span class="status status-failed">error</span>` : ''}</summary><pre>${prettyJson(d.output ?? null)}</pre></details>`;
    case 'progress': {
      const percent = num(d.percent);
      return html`<span class="event-label">progress</span> ${str(d.message) ?? ''}${percent === undefined ? '' : html` <progress max="100" value="${percent}">${percent}%</progress> ${percent}%`}`;
    }
    case 'usage': {
      const parts = [
        num(d.input_tokens) === undefined ? null : `${num(d.input_tokens)} in`,
        num(d.output_tokens) === undefined ? null : `${num(d.output_tokens)} out`,
        num(d.cost_usd) === undefined ? null : money(num(d.cost_usd)!),
        str(d.model) ?? null,
      ].filter((p) => p !== null);
      return html`<span class="event-label">usage</span> <span class="muted">${parts.join(' · ')}</span>`;
    }
    case 'result':
      return html`<div class="event-label">result${d.is_error === true ? html` <span class="status status-failed">error</span>` : ''}</div>
${str(d.result_text) === undefined ? '' : html`<div class="markdown">${renderMarkdown(str(d.result_text)!)}</div>`}
${d.result_data === undefined ? '' : html`<details open><summary>result_data</summary><pre>${prettyJson(d.result_data)}</pre></details>`}`;
    case 'log': {
      const level = str(d.level) ?? (str(d.stream) === 'stderr' ? 'stderr' : 'info');
      return html`<span class="event-label log-${level.replace(/[^a-z]/g, '')}">${level}</span> <code class="log-line">${str(d.message) ?? ''}</code>${str(d.reason) === undefined ? '' : html` <span class="muted">(${str(d.reason)})</span>`}`;
    }
    case 'run_status':
      return html`<span class="event-label">run</span> ${statusBadge(str(d.status) ?? 'unknown')} <span class="muted">attempt ${String(num(d.attempt) ?? '?')}${str(d.runner_id) === undefined ? '' : ` on ${str(d.runner_id)}`}</span>${str(d.message) === undefined ? '' : html` — ${str(d.message)}`}`;
    case 'bind':
      return html`<span class="event-label">bind</span> <span class="muted">executor session ${str(d.executor_session_id) ?? ''}</span>`;
    case 'question':
      return html`<div class="event-label">asks${str(d.kind) === 'approval' ? ' approval' : ''}</div><div class="markdown">${renderMarkdown(str(d.question) ?? '')}</div> <a href="/inbox">Inbox</a>`;
    case 'answer':
      return html`<span class="event-label">answer</span> ${statusBadge(str(d.status) ?? 'answered')} <code>${prettyJson(d.answer ?? null)}</code>${str(d.answered_by) === undefined ? '' : html` <span class="muted">by ${str(d.answered_by)}</span>`}`;
    default:
      return html`<details><summary><span class="event-label">${e.type}</span></summary><pre>${prettyJson(d)}</pre></details>`;
  }
}

/** One stored event as an article of the event feed (`data-seq`; the type as a class). */
export function renderEvent(e: SessionEvent) {
  const type = e.type.replace(/[^a-z_]/g, '');
  return html`<article class="event event-${type}" id="e-${e.session_id}-${e.seq}" data-seq="${e.seq}" data-session="${e.session_id}">${origin(e)}${time(e.created_at)}<div class="event-body">${body(e)}</div></article>`;
}

/** Events as the feed's HTML, in the order given. */
export function renderEvents(events: readonly SessionEvent[]) {
  return html`${events.map(renderEvent)}`;
}
