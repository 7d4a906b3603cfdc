// The console's shared script (an ES module every page loads first). Pages are rendered on the server;
// this gives their own scripts the few things they share: calls to the API with the page's CSRF token,
// the API's event streams, fetching a part of the page again, and showing errors (on the field they name).
// Nothing here builds HTML from strings: text goes in with textContent, fragments come from the server.

/** The CSRF token this page was served with ('' on a coordinator without an API token). */
export const csrf = () => document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';

/** An error the API answered: its status, message, and field issues (`[{path, message}]`). */
export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
    // The API answers {"error": {code, message, details: {issues}}}.
    const error = body?.error ?? body;
    this.issues = Array.isArray(error?.details?.issues) ? error.details.issues : [];
  }
}

/** The message of an API error body (`{"error": {"message"}}`), if it has one. */
export const apiMessage = (body) => [body?.error?.message, body?.message].find((m) => typeof m === 'string');

/** Call the API: `api('POST', '/v1/sessions', {prompt})`. Resolves with the parsed body; throws ApiError. */
export async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD') headers['x-csrf-token'] = csrf();
  const response = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    parsed = text;
  }
  if (response.status === 401) location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
  if (!response.ok) throw new ApiError(response.status, apiMessage(parsed) ?? `${response.status} ${response.statusText}`, parsed);
  return parsed;
}

/**
 * Follow one of the API's SSE streams: `follow(url, {change(data) {…}})` calls the handler named after
 * each message's event (`message` for unnamed ones) with its parsed data. The browser reconnects by
 * itself; `onopen` runs on each (re)connection, so a page can read again what it may have missed.
 * @returns a function that closes the stream.
 */
export function follow(url, handlers, onopen) {
  const source = new EventSource(url, { withCredentials: true });
  for (const [event, handler] of Object.entries(handlers)) {
    source.addEventListener(event, (message) => {
      let data = message.data;
      try {
        data = JSON.parse(message.data);
      } catch {
        // not JSON: the handler gets the text
      }
      handler(data, message);
    });
  }
  if (onopen) source.addEventListener('open', onopen);
  addEventListener('pagehide', () => source.close(), { once: true });
  return () => source.close();
}

let changes = null;
const changeHandlers = new Set();

/**
 * Call `handler({sessions, trees, workflow_runs, questions, more})` on each message of `GET /v1/changes`
 * (one stream per page, shared), and with `{reconnected: true}` each time the stream opens: the stream
 * only tells what changes after it opened, so what changed since the page was rendered (or while the
 * stream was down) is read again then. A run that ends between the page's rendering and the stream's
 * opening is not missed.
 */
export function onChanges(handler) {
  changeHandlers.add(handler);
  if (changes === null) {
    changes = follow('/v1/changes', { change: (data) => changeHandlers.forEach((h) => h(data)) }, () => {
      changeHandlers.forEach((h) => h({ reconnected: true, sessions: [], trees: [], workflow_runs: [], questions: [], more: true }));
    });
  }
  return () => changeHandlers.delete(handler);
}

/**
 * Run `fn` at most once per `ms`, and once more after the last call (so the last change is never missed).
 */
export function throttle(fn, ms) {
  let timer = null;
  let again = false;
  const run = async () => {
    again = false;
    try {
      await fn();
    } finally {
      timer = setTimeout(() => {
        timer = null;
        if (again) schedule();
      }, ms);
    }
  };
  const schedule = () => {
    if (timer !== null) {
      again = true;
      return;
    }
    timer = setTimeout(run, 0);
  };
  return schedule;
}

/**
 * `fn`, but while the page is hidden (a background tab) only remembered, and run once when it is shown
 * again: a tab nobody looks at reads nothing.
 */
export function whenVisible(fn) {
  let owed = false;
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && owed) {
      owed = false;
      fn();
    }
  });
  return () => {
    if (document.visibilityState === 'hidden') owed = true;
    else fn();
  };
}

/**
 * Replace the contents of `element` with the same part of a page fetched again from the server
 * (`url` answers an HTML fragment, rendered and escaped there). Keeps the focused element's id focused.
 */
export async function refresh(element, url) {
  const response = await fetch(url, { credentials: 'same-origin', headers: { accept: 'text/html' } });
  if (response.status === 401) return location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
  if (!response.ok) throw new Error(`${response.status} reading ${url}`);
  const html = await response.text();
  const focused = document.activeElement?.id;
  element.innerHTML = html;
  if (focused) document.getElementById(focused)?.focus();
  element.dispatchEvent(new CustomEvent('refreshed', { bubbles: true }));
}

/** Show a message in the page's status area (`kind`: 'ok' or 'error'). */
export function flash(message, kind = 'ok') {
  const box = document.getElementById('flash');
  if (!box) return;
  box.textContent = message;
  box.className = kind;
}

/**
 * Show an API error on a form: each issue on the field its path names (`[name="path"]`, or
 * `[data-field="path"]`), the rest (and the message) in the form's `.form-error` or the status area.
 */
export function showErrors(form, error) {
  clearErrors(form);
  const rest = [];
  for (const issue of error.issues ?? []) {
    const path = String(issue.path ?? '');
    const field = fieldOf(form, path);
    if (field === null) {
      rest.push(`${path}: ${issue.message}`);
      continue;
    }
    field.setAttribute('aria-invalid', 'true');
    const note = document.createElement('p');
    note.className = 'field-error';
    note.id = `${field.id || field.name || 'field'}-error`;
    note.textContent = issue.message;
    field.setAttribute('aria-describedby', note.id);
    field.insertAdjacentElement('afterend', note);
  }
  const box = form.querySelector('.form-error');
  const text = rest.length > 0 ? rest.join('; ') : (error.issues ?? []).length > 0 ? '' : error.message;
  if (box) box.textContent = text;
  else if (text) flash(text, 'error');
  form.querySelector('[aria-invalid="true"]')?.focus();
}

function fieldOf(form, path) {
  if (path === '') return null;
  for (const candidate of [path, path.split('.')[0]]) {
    const field = form.querySelector(`[name="${CSS.escape(candidate)}"]`) ?? form.querySelector(`[data-field="${CSS.escape(candidate)}"]`);
    if (field) return field;
  }
  return null;
}

/** Remove the errors showErrors put on a form. */
export function clearErrors(form) {
  form.querySelectorAll('.field-error').forEach((n) => n.remove());
  form.querySelectorAll('[aria-invalid]').forEach((n) => {
    n.removeAttribute('aria-invalid');
    n.removeAttribute('aria-describedby');
  });
  const box = form.querySelector('.form-error');
  if (box) box.textContent = '';
}

/** "3 s", "4 min", "2 h" ago/since an ISO time. */
export function age(iso, now = Date.now()) {
  const s = Math.max(0, (now - Date.parse(iso)) / 1000);
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 86400) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}

// A read of a page's part that the network cut short (the page is being left, the coordinator restarts) is
// not an error of the page: the stream's next message or its reconnection reads again.
addEventListener('unhandledrejection', (event) => {
  if (event.reason instanceof TypeError && /fetch|network/i.test(event.reason.message)) event.preventDefault();
});

// Times shown as <time datetime="…" data-age> say how long ago, kept current.
const tick = () => document.querySelectorAll('time[data-age]').forEach((t) => (t.textContent = `${age(t.getAttribute('datetime'))} ago`));
setInterval(tick, 5000);
document.addEventListener('refreshed', tick);
tick();
