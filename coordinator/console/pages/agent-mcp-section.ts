import { html } from 'hono/html';
import type { AgentMcp, McpTool } from '../../../protocol/agent-mcp.js';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function placeholderOf(schema: unknown): unknown {
  if (!isRecord(schema)) return null;
  if ('default' in schema) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return '';
    case 'integer':
    case 'number':
      return 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object':
      return {};
    default:
      return null;
  }
}

/**
 * The arguments a tool's input schema asks for, as a JSON text to start from: each property with its
 * default (or an empty value of its type), required ones first; `{}` for a schema without properties. Pure.
 */
export function argumentsSkeleton(inputSchema: unknown): string {
  if (!isRecord(inputSchema) || !isRecord(inputSchema.properties)) return '{}';
  const required = Array.isArray(inputSchema.required) ? inputSchema.required.filter((r): r is string => typeof r === 'string') : [];
  const names = Object.keys(inputSchema.properties);
  const ordered = [...names.filter((n) => required.includes(n)), ...names.filter((n) => !required.includes(n))];
  if (ordered.length === 0) return '{}';
  const properties = inputSchema.properties;
  return JSON.stringify(Object.fromEntries(ordered.map((n) => [n, placeholderOf(properties[n])])), null, 2);
}

function toolItem(tool: McpTool) {
  return html`<li data-tool="${tool.name}"><code>${tool.name}</code>${tool.title === null ? '' : html` <strong>${tool.title}</strong>`}
${tool.description === null ? '' : html`<span class="tool-description">${tool.description}</span>`}
<details><summary>Input schema</summary><pre>${JSON.stringify(tool.input_schema ?? {}, null, 2)}</pre></details></li>`;
}

/** The MCP tools section's body: each server with its tools or its error, then a form to call one tool. Every server-provided text escaped. */
export function mcpToolsFragment(view: AgentMcp) {
  if (view.servers.length === 0) {
    return html`<p class="muted" id="no-mcp-servers">This agent has no MCP servers (<code>mcp_servers</code>).</p>`;
  }
  const callable = view.servers.filter((s) => s.error === undefined && s.tools.length > 0);
  let index = 0;
  const options = callable.map(
    (s) => html`<optgroup label="${s.server}">${s.tools.map(
      (t) => html`<option value="${String(index++)}" data-server="${s.server}" data-tool="${t.name}" data-skeleton="${argumentsSkeleton(t.input_schema)}">${t.name}</option>`,
    )}</optgroup>`,
  );
  const first = callable[0]?.tools[0];
  return html`${view.servers.map(
    (s) => html`<div class="mcp-server card" data-server="${s.server}">
<h3>${s.server} <span class="muted">${s.transport}${s.url === null ? '' : html` · <span class="mono">${s.url}</span>`}</span></h3>
${s.error === undefined ? '' : html`<p class="problem mcp-error">${s.error}</p>`}
${s.error === undefined && s.tools.length === 0 ? html`<p class="muted">No tools.</p>` : ''}
${s.tools.length === 0 ? '' : html`<ul class="mcp-tool-list">${s.tools.map(toolItem)}</ul>`}
</div>`,
  )}
${
  first === undefined
    ? ''
    : html`<form id="mcp-call" class="stack" novalidate>
<h3>Call a tool</h3>
<label for="mcp-tool">Tool</label>
<select id="mcp-tool" name="tool">${options}</select>
<label for="mcp-arguments">Arguments (a JSON object)</label>
<textarea id="mcp-arguments" name="arguments" rows="6" spellcheck="false">${argumentsSkeleton(first.input_schema)}</textarea>
<p class="form-error" role="alert"></p>
<button type="submit" class="primary">Call</button>
</form>`
}`;
}
