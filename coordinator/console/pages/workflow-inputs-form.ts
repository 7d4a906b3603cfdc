// The run form of a workflow: one field per declared input, typed (text, number, checkbox, choice, JSON),
// with its default filled in. workflows.js sends it to POST /v1/workflow-runs; the API checks the values
// and its issues (`inputs.NAME`) land on the field of that name.
import { html } from 'hono/html';
import type { WorkflowInputDef } from '../../../lib/workflow/model.js';

const asText = (value: unknown): string => (value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value));

function field(name: string, def: WorkflowInputDef, i: number) {
  const id = `input-${i}`;
  const fieldName = `inputs.${name}`;
  const hint = html`${def.description === null ? '' : html`<span class="hint" id="${id}-hint">${def.description}</span>`}`;
  const described = def.description === null ? '' : html` aria-describedby="${id}-hint"`;
  const required = def.required && def.default === undefined;
  const label = html`<label for="${id}">${name}${required ? html` <span class="muted">(required)</span>` : ''} <span class="muted mono">${def.type}</span></label>`;
  switch (def.type) {
    case 'boolean':
      return html`<div class="wf-input wf-check"><input type="checkbox" id="${id}" name="${fieldName}" data-type="boolean"${def.default === true ? html` checked` : ''}${described}> ${label}${hint}</div>`;
    case 'choice':
      return html`<div class="wf-input">${label}<select id="${id}" name="${fieldName}" data-type="choice"${described}>
${def.default === undefined ? html`<option value="" data-none>${required ? '— choose —' : '(none)'}</option>` : ''}
${(def.options ?? []).map((o) => html`<option value="${o}"${o === def.default ? html` selected` : ''}>${o}</option>`)}
</select>${hint}</div>`;
    case 'json':
      return html`<div class="wf-input">${label}<textarea id="${id}" name="${fieldName}" data-type="json" spellcheck="false"${described}>${asText(def.default)}</textarea>${hint}</div>`;
    case 'number':
      return html`<div class="wf-input">${label}<input type="text" inputmode="decimal" id="${id}" name="${fieldName}" data-type="number" value="${asText(def.default)}"${described}>${hint}</div>`;
    default:
      return html`<div class="wf-input">${label}<input type="text" id="${id}" name="${fieldName}" data-type="string" value="${asText(def.default)}"${described}>${hint}</div>`;
  }
}

/** The form that runs workflow `name` with `inputs` (none: a single Run button). */
export function runForm(name: string, inputs: Readonly<Record<string, WorkflowInputDef>>) {
  const entries = Object.entries(inputs);
  return html`<form id="run-form" class="stack card" data-workflow="${name}" novalidate>
${entries.length === 0 ? html`<p class="hint">This workflow takes no inputs.</p>` : entries.map(([n, def], i) => field(n, def, i))}
<p class="form-error" role="alert"></p>
<button type="submit" class="primary">Run ${name}</button>
</form>`;
}
