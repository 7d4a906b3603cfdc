import { html } from 'hono/html';
import type { AgentDocument } from '../../../protocol/agents.js';
import { otherFields } from './agent-view.js';

/**
 * The form that creates (`agent` null) or edits an agent: the structured fields, and a JSON textarea for
 * every other field (mcp_servers, budget, approvals, orchestrator_mcp, the claude-code fields, x-*).
 * agent-form.js sends it as one `PUT /v1/agents/:name` (If-None-Match: * to create, If-Match: `etag` to
 * edit) and shows each issue the API names on its field.
 */
// A newline right after <textarea> is dropped by the HTML parser: each textarea starts with one, so a
// value that starts with a newline keeps it.
export function agentForm(agent: AgentDocument | null, etag: string | null) {
  const editing = agent !== null;
  const rest = otherFields(agent);
  const value = (v: unknown) => (v === undefined ? '' : String(v));
  return html`<form id="agent-form" class="stack agent-form" novalidate data-mode="${editing ? 'edit' : 'new'}" data-etag="${etag ?? ''}">
<label for="agent-name">Name</label>
<input id="agent-name" name="name" autocomplete="off" spellcheck="false" value="${agent?.name ?? ''}"${editing ? html` readonly aria-describedby="agent-name-hint"` : ''}>
${editing ? html`<p class="hint" id="agent-name-hint">A name is not changed here: create the agent under its new name, then delete this one.</p>` : html`<p class="hint">Letters, digits, “.”, “_” or “-”.</p>`}
<label for="agent-description">Description</label>
<input id="agent-description" name="description" value="${value(agent?.description)}">
<label for="agent-executor">Executor</label>
<input id="agent-executor" name="executor" autocomplete="off" spellcheck="false" value="${value(agent?.executor)}">
<p class="hint">e.g. <code>claude-code</code>; empty: the coordinator's default executor.</p>
<label for="agent-tags">Tags</label>
<input id="agent-tags" name="tags" autocomplete="off" value="${(agent?.tags ?? []).join(', ')}">
<p class="hint">Comma-separated: a runner must have them all to run this agent.</p>
<label for="agent-model">Model</label>
<input id="agent-model" name="model" autocomplete="off" value="${value(agent?.model)}">
<label for="agent-timeout">Timeout (seconds)</label>
<input id="agent-timeout" name="timeout_s" inputmode="numeric" autocomplete="off" value="${value(agent?.timeout_s)}">
<label for="agent-system-prompt">System prompt</label>
<textarea id="agent-system-prompt" name="system_prompt" rows="8">
${value(agent?.system_prompt)}</textarea>
<label for="agent-other">Other fields (JSON)</label>
<textarea id="agent-other" name="other" rows="10" spellcheck="false" aria-describedby="agent-other-hint">
${JSON.stringify(rest, null, 2)}</textarea>
<p class="hint" id="agent-other-hint">An object of the other fields: <code>mcp_servers</code>, <code>budget</code>, <code>approvals</code>, <code>orchestrator_mcp</code>, the claude-code executor's fields, fields of your own starting with <code>x-</code>.</p>
<div id="agent-other-errors" class="json-errors" aria-live="polite"></div>
<p class="form-error" role="alert"></p>
<p><button type="submit" class="primary">${editing ? 'Save' : 'Create agent'}</button> <a href="${editing ? `/agents/${encodeURIComponent(agent.name)}` : '/agents'}">Cancel</a></p>
</form>`;
}
