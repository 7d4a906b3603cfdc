// An agent's MCP tools: the section (rendered by the server from GET /v1/agents/:name/mcp) is loaded when
// the page opens and on Reload; the form calls one tool (POST /v1/agents/:name/mcp/:server/call) and shows
// its result as text (content blocks' text as is, anything else as pretty JSON).
import { api, refresh } from './console.js';

const section = document.getElementById('mcp-tools');
const box = document.getElementById('mcp-servers');
const result = document.getElementById('mcp-result');
const reload = document.getElementById('mcp-reload');
const agent = section.dataset.agent;

async function load() {
  reload.disabled = true;
  box.setAttribute('aria-busy', 'true');
  try {
    await refresh(box, section.dataset.fragment);
  } catch (error) {
    const p = document.createElement('p');
    p.className = 'problem';
    p.textContent = `The tools could not be listed: ${error.message}`;
    box.replaceChildren(p);
  } finally {
    box.setAttribute('aria-busy', 'false');
    reload.disabled = false;
  }
}

function block(title, text, className) {
  const wrap = document.createElement('div');
  wrap.className = className;
  const h = document.createElement('h4');
  h.textContent = title;
  const pre = document.createElement('pre');
  pre.textContent = text;
  wrap.append(h, pre);
  return wrap;
}

function showResult(answer) {
  const head = document.createElement('p');
  head.className = answer.is_error ? 'problem' : 'ok';
  head.textContent = `${answer.server} · ${answer.tool}: ${answer.is_error ? 'the tool reported an error' : 'done'}`;
  const parts = [head];
  answer.content.forEach((item, i) => {
    const text = item?.type === 'text' && typeof item.text === 'string' ? item.text : JSON.stringify(item, null, 2);
    parts.push(block(`Content ${i + 1}${item?.type ? ` (${item.type})` : ''}`, text, 'mcp-content'));
  });
  if (answer.structured_content !== undefined) parts.push(block('Structured content', JSON.stringify(answer.structured_content, null, 2), 'mcp-structured'));
  result.replaceChildren(...parts);
}

function showFailure(message) {
  const p = document.createElement('p');
  p.className = 'problem';
  p.textContent = message;
  result.replaceChildren(p);
}

// The form comes with each loading of the section: listen on the section.
section.addEventListener('change', (event) => {
  if (event.target.id !== 'mcp-tool') return;
  const option = event.target.selectedOptions[0];
  document.getElementById('mcp-arguments').value = option?.dataset.skeleton ?? '{}';
});

section.addEventListener('submit', async (event) => {
  if (event.target.id !== 'mcp-call') return;
  event.preventDefault();
  const form = event.target;
  const option = form.elements.tool.selectedOptions[0];
  const errorBox = form.querySelector('.form-error');
  errorBox.textContent = '';
  form.elements.arguments.removeAttribute('aria-invalid');
  let args;
  try {
    args = JSON.parse(form.elements.arguments.value.trim() === '' ? '{}' : form.elements.arguments.value);
  } catch (error) {
    args = undefined;
    errorBox.textContent = `arguments: not valid JSON: ${error.message}`;
  }
  if (args !== undefined && (typeof args !== 'object' || args === null || Array.isArray(args))) {
    args = undefined;
    errorBox.textContent = 'arguments: must be a JSON object ({…})';
  }
  if (args === undefined) {
    form.elements.arguments.setAttribute('aria-invalid', 'true');
    form.elements.arguments.focus();
    return;
  }
  const button = form.querySelector('button[type="submit"]');
  button.disabled = true;
  result.setAttribute('aria-busy', 'true');
  try {
    const path = `/v1/agents/${encodeURIComponent(agent)}/mcp/${encodeURIComponent(option.dataset.server)}/call`;
    showResult(await api('POST', path, { tool: option.dataset.tool, arguments: args }));
  } catch (error) {
    const issues = error.issues ?? [];
    showFailure(issues.length > 0 ? issues.map((i) => `${i.path}: ${i.message}`).join('; ') : error.message);
  } finally {
    button.disabled = false;
    result.setAttribute('aria-busy', 'false');
  }
});

reload.addEventListener('click', () => {
  result.replaceChildren();
  void load();
});
void load();
