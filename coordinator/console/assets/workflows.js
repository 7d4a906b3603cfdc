// The workflows list and a workflow's page: read again when runs change; the run form sends
// POST /v1/workflow-runs with the typed inputs and opens the new run (the API's issues land on their field).
import { api, clearErrors, onChanges, refresh, showErrors, throttle } from './console.js';

/** Refresh `box` (a server fragment at its data-fragment) whenever workflow runs change. */
function keepCurrent(box) {
  if (!box) return;
  const again = throttle(() => refresh(box, box.dataset.fragment).catch(() => undefined), 500);
  onChanges((change) => {
    if (change.workflow_runs.length > 0 || change.more) again();
  });
}

keepCurrent(document.getElementById('workflows-page'));
keepCurrent(document.getElementById('runs'));

/** The inputs the form holds, typed; empty optional fields are left out (the workflow's default applies). */
function inputsOf(form) {
  const inputs = {};
  const issues = [];
  for (const field of form.querySelectorAll('[data-type]')) {
    const name = field.name.slice('inputs.'.length);
    const text = field.value;
    switch (field.dataset.type) {
      case 'boolean':
        inputs[name] = field.checked;
        break;
      case 'number': {
        if (text.trim() === '') break;
        const n = Number(text);
        // Not a number: sent as written, so the API says what is wrong with it, on this field.
        inputs[name] = Number.isFinite(n) ? n : text;
        break;
      }
      case 'json':
        if (text.trim() === '') break;
        try {
          inputs[name] = JSON.parse(text);
        } catch (error) {
          issues.push({ path: field.name, message: `not JSON: ${error.message}` });
        }
        break;
      case 'choice':
        if (field.selectedOptions[0]?.hasAttribute('data-none')) break;
        inputs[name] = text;
        break;
      default:
        if (text !== '') inputs[name] = text;
    }
  }
  return { inputs, issues };
}

const form = document.getElementById('run-form');
form?.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(form);
  const { inputs, issues } = inputsOf(form);
  if (issues.length > 0) return showErrors(form, { issues, message: '' });
  const button = form.querySelector('button[type="submit"]');
  button.disabled = true;
  try {
    const started = await api('POST', '/v1/workflow-runs', { workflow: form.dataset.workflow, inputs });
    location.assign(`/workflow-runs/${encodeURIComponent(started.workflow_run_id)}`);
  } catch (error) {
    showErrors(form, error);
    button.disabled = false;
  }
});
