import type { Hono } from 'hono';
import { html } from 'hono/html';
import type { z } from 'zod';
import type { AgentDocument, AgentListSchema } from '../../../protocol/agents.js';
import { agentEtag } from '../../agents/agent-etag.js';
import { fragment, type ConsoleDeps, type ConsoleEnv } from '../console-page.js';
import { agentForm } from './agent-form.js';
import { mcpToolsFragment } from './agent-mcp-section.js';
import type { AgentMcp } from '../../../protocol/agent-mcp.js';
import { agentView } from './agent-view.js';

type AgentList = z.infer<typeof AgentListSchema>;

/** The console's link to an agent's page. */
export const agentHref = (name: string) => `/agents/${encodeURIComponent(name)}`;

const count = (servers: AgentDocument['mcp_servers']) => Object.keys(servers ?? {}).length;

/** `/agents`: every agent (name, description, executor, tags, model, MCP servers) and the agents folder's problems. */
function listBody(list: AgentList) {
  const problems = list.problems ?? [];
  return html`<p><a class="button" href="/agents/new">New agent</a></p>
${
  list.agents.length === 0
    ? html`<p class="muted" id="no-agents">No agent yet. Create one here, with <code>agent-runner agents apply</code>, or as a <code>&lt;name&gt;.json</code> file in the agents folder.</p>`
    : html`<div class="table-wrap"><table id="agents">
<thead><tr><th>Agent</th><th>Description</th><th>Executor</th><th class="hide-narrow">Tags</th><th class="hide-narrow">Model</th><th class="num">MCP servers</th></tr></thead>
<tbody>${list.agents.map(
        (a) => html`<tr data-agent="${a.name}"><td><a href="${agentHref(a.name)}">${a.name}</a></td><td class="clip">${a.description ?? ''}</td><td>${a.executor ?? html`<span class="muted">default</span>`}</td>
<td class="hide-narrow">${(a.tags ?? []).join(', ')}</td><td class="hide-narrow">${a.model ?? ''}</td><td class="num">${count(a.mcp_servers)}</td></tr>`,
      )}</tbody></table></div>`
}
${
  problems.length === 0
    ? ''
    : html`<h2>Problems in the agents folder</h2>
<ul id="agent-problems">${problems.map(
        (p) => html`<li><code>${p.file}</code>: <span class="problem">${p.message}</span>${p.kept ? html` <span class="muted">(its last good version is still used)</span>` : ''}</li>`,
      )}</ul>`
}`;
}

/**
 * The Agents pages: the list, one agent (its fields, its MCP servers' tools with a form to call one), and
 * the form that creates or edits one. Reads go through the API; the pages' scripts write through it.
 */
export function mountAgentPages(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  app.get('/agents', async (c) => {
    const list = await deps.api<AgentList>('/v1/agents');
    return deps.render(c, { title: 'Agents', section: '/agents', body: listBody(list) });
  });

  app.get('/agents/new', (c) => deps.render(c, { title: 'New agent', section: '/agents', body: agentForm(null, null), scripts: ['agent-form.js'] }));

  app.get('/agents/:name', async (c) => {
    const agent = await deps.api<AgentDocument>(`/v1/agents/${encodeURIComponent(c.req.param('name'))}`);
    return deps.render(c, { title: `Agent ${agent.name}`, section: '/agents', body: agentView(agent), scripts: ['agents.js', 'mcp-tools.js'] });
  });

  // The MCP tools section of an agent's page (its script asks for it when the page opens, and on Reload).
  app.get('/agents/:name/tools', async (c) => {
    const name = c.req.param('name');
    if (c.req.query('fragment') !== 'body') return c.redirect(`${agentHref(name)}#mcp-tools`, 303);
    return fragment(c, mcpToolsFragment(await deps.api<AgentMcp>(`/v1/agents/${encodeURIComponent(name)}/mcp`)));
  });

  app.get('/agents/:name/edit', async (c) => {
    const agent = await deps.api<AgentDocument>(`/v1/agents/${encodeURIComponent(c.req.param('name'))}`);
    // The version the form shows: its save sends it as If-Match (the API's ETag of this very document).
    return deps.render(c, { title: `Edit ${agent.name}`, section: '/agents', body: agentForm(agent, agentEtag(agent)), scripts: ['agent-form.js'] });
  });
}
