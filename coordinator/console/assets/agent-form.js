// The agent form (/agents/new, /agents/:name/edit): one PUT /v1/agents/:name with the structured fields and
// the "other fields" JSON merged, If-None-Match: * to create (never replaces an agent of the same name),
// If-Match with the version shown to edit (never overwrites someone else's change). The API's issues go on
// the field they name; those of fields inside the JSON textarea are listed under it with their path.
import { ApiError, apiMessage, clearErrors, csrf, showErrors } from './console.js';

const form = document.getElementById('agent-form');
const jsonErrors = document.getElementById('agent-other-errors');
const STRUCTURED = ['name', 'description', 'executor', 'tags', 'model', 'timeout_s', 'system_prompt'];

/** The top-level field an issue path names: `tags[1]` → tags, `mcp_servers.x.url` → mcp_servers. */
const topOf = (path) => String(path ?? '').split(/[.[]/)[0];

function showJsonErrors(lines) {
  jsonErrors.replaceChildren();
  if (lines.length === 0) return;
  const list = document.createElement('ul');
  list.className = 'field-error';
  for (const line of lines) {
    const item = document.createElement('li');
    item.textContent = line;
    list.append(item);
  }
  jsonErrors.append(list);
  form.elements.other.setAttribute('aria-invalid', 'true');
}

/** The body the form says, or an error naming the field that is not right. */
function readForm() {
  const f = form.elements;
  let other;
  try {
    other = JSON.parse(f.other.value.trim() === '' ? '{}' : f.other.value);
  } catch (error) {
    return { problem: [`not valid JSON: ${error.message}`] };
  }
  if (typeof other !== 'object' || other === null || Array.isArray(other)) return { problem: ['must be a JSON object ({…})'] };
  const twice = Object.keys(other).filter((k) => STRUCTURED.includes(k));
  if (twice.length > 0) return { problem: twice.map((k) => `${k}: set it in its own field above, not here`) };
  const body = { ...other, name: f.name.value.trim() };
  for (const key of ['description', 'executor', 'model', 'system_prompt']) if (f[key].value.trim() !== '') body[key] = f[key].value;
  const tags = f.tags.value.split(',').map((t) => t.trim()).filter((t) => t !== '');
  if (tags.length > 0) body.tags = tags;
  const timeout = f.timeout_s.value.trim();
  // A number when it reads as one; otherwise the text as typed, for the API to say what is wrong with it.
  if (timeout !== '') body.timeout_s = Number.isFinite(Number(timeout)) ? Number(timeout) : timeout;
  return { body };
}

async function save(body) {
  const headers = { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrf() };
  if (form.dataset.mode === 'new') headers['if-none-match'] = '*';
  else headers['if-match'] = form.dataset.etag;
  const response = await fetch(`/v1/agents/${encodeURIComponent(body.name)}`, { method: 'PUT', headers, credentials: 'same-origin', body: JSON.stringify(body) });
  if (response.status === 401) return location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
  const parsed = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, apiMessage(parsed) ?? `${response.status} ${response.statusText}`, parsed);
  location.assign(`/agents/${encodeURIComponent(body.name)}`);
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(form);
  showJsonErrors([]);
  const { body, problem } = readForm();
  if (problem) {
    showJsonErrors(problem);
    form.elements.other.focus();
    return;
  }
  // '' and dot segments never reach the API's name check (a URL cannot carry them as a segment).
  if (body.name === '' || body.name === '.' || body.name === '..') {
    const message = body.name === '' ? 'is required: the agent\u2019s name' : 'must be letters, digits, ".", "_" or "-", starting with a letter or digit';
    showErrors(form, { issues: [{ path: 'name', message }], message: '' });
    return;
  }
  const button = form.querySelector('button[type="submit"]');
  button.disabled = true;
  try {
    await save(body);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const issues = error.issues;
    const mine = issues.filter((i) => STRUCTURED.includes(topOf(i.path))).map((i) => ({ path: topOf(i.path), message: i.path === topOf(i.path) ? i.message : `${i.path}: ${i.message}` }));
    const inJson = issues.filter((i) => !STRUCTURED.includes(topOf(i.path)));
    const message = error.status === 412 ? `${error.message}. Open the agent again to see its current version.` : issues.length > 0 ? '' : error.message;
    showErrors(form, { issues: mine, message });
    showJsonErrors(inJson.map((i) => `${i.path}: ${i.message}`));
    if (mine.length === 0 && inJson.length > 0) form.elements.other.focus();
  } finally {
    button.disabled = false;
  }
});
