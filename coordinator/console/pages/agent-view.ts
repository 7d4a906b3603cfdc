import { html } from 'hono/html';
import type { AgentDocument } from '../../../protocol/agents.js';
import type { Html } from '../layout.js';

/** The fields the view (and the form) show on their own; every other field is shown as JSON. */
export const STRUCTURED_FIELDS = ['name', 'description', 'executor', 'tags', 'model', 'timeout_s', 'system_prompt'] as const;

/** An agent's fields other than the structured ones (mcp_servers, budget, approvals, x-*...), as one object. */
export function otherFields(agent: Partial<AgentDocument> | null): Record<string, unknown> {
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(agent ?? {})) if (!(STRUCTURED_FIELDS as readonly string[]).includes(key)) rest[key] = value;
  return rest;
}

const tools = (name: string) => `/agents/${encodeURIComponent(name)}/tools?fragment=body`;

/** `/agents/:name`: every field (the system prompt as text), Edit, Delete (asks first), and the MCP tools section. */
export function agentView(agent: AgentDocument) {
  const row = (label: string, value: string | number | Html | undefined) =>
    html`<dt>${label}</dt><dd>${value === undefined || value === '' ? html`<span class="muted">–</span>` : value}</dd>`;
  const rest = otherFields(agent);
  return html`<div id="agent" data-agent="${agent.name}">
<p class="actions"><a class="button" href="/agents/${encodeURIComponent(agent.name)}/edit">Edit</a>
<button type="button" class="danger" id="delete-agent" aria-controls="delete-confirm" aria-expanded="false">Delete</button></p>
<div id="delete-confirm" class="card" hidden>
<p>Delete agent <strong>${agent.name}</strong>? Its sessions keep their history; new sessions cannot name it. An agent from the agents folder comes back while its file is there.</p>
<button type="button" class="danger" id="delete-yes">Delete ${agent.name}</button> <button type="button" id="delete-no">Cancel</button>
</div>
<dl class="agent-fields">
${row('Name', agent.name)}
${row('Description', agent.description)}
${row('Executor', agent.executor ?? html`<span class="muted">the coordinator's default</span>`)}
${row('Tags', (agent.tags ?? []).join(', '))}
${row('Model', agent.model)}
${row('Timeout', agent.timeout_s === undefined ? undefined : `${agent.timeout_s} s`)}
</dl>
<h2>System prompt</h2>
${agent.system_prompt === undefined ? html`<p class="muted">None.</p>` : html`<pre id="system-prompt">
${agent.system_prompt}</pre>` /* the parser drops a newline right after <pre>: this one, not the prompt's */}
<h2>Other fields</h2>
${Object.keys(rest).length === 0 ? html`<p class="muted">None.</p>` : html`<pre id="other-fields">${JSON.stringify(rest, null, 2)}</pre>`}
</div>
<section id="mcp-tools" aria-labelledby="mcp-tools-title" data-agent="${agent.name}" data-fragment="${tools(agent.name)}">
<h2 id="mcp-tools-title">MCP tools <button type="button" id="mcp-reload">Reload</button></h2>
<p class="hint">Listed by the coordinator from each of this agent's MCP servers; stdio servers, and servers whose configuration needs a runner's placeholders, are reached only by runners.</p>
<div id="mcp-servers" aria-live="polite" aria-busy="true"><p class="muted">Loading tools…</p></div>
<div id="mcp-result" aria-live="polite"></div>
</section>`;
}
