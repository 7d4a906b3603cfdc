// The inbox page: answer a card (POST /v1/questions/:id/answer), and keep the lists current as questions
// are asked and closed (GET /v1/changes). An open question does not change until it closes, so a card
// still open is kept as it is when the list is read again (a click, a selection or typing in it is never
// lost to a refresh); only new cards are added and closed ones removed.
import { api, clearErrors, flash, onChanges, refresh, showErrors, throttle } from './console.js';

const openBox = document.getElementById('inbox-open');
const recentBox = document.getElementById('inbox-recent');
const answerAs = document.getElementById('answer-as');
const STORED_NAME = 'agent-runner.answer-as';

/** Ids of the questions answered from this page (their cards going is no news). */
const answeredHere = new Set();

// Who answers: "console", or "console:<name>" with the name kept in this browser.
try {
  answerAs.value = localStorage.getItem(STORED_NAME) ?? '';
} catch {
  // storage refused (private mode): the name is kept for this page only
}
answerAs.addEventListener('input', () => {
  try {
    localStorage.setItem(STORED_NAME, answerAs.value.trim());
  } catch {
    // as above
  }
});
document.getElementById('answer-as-form').addEventListener('submit', (event) => event.preventDefault());
const answerer = () => {
  const name = answerAs.value.trim().slice(0, 190);
  return name === '' ? 'console' : `console:${name}`;
};

/** Whether a person is working on this card: keep it as it is when the list is read again. */
function busy(card) {
  if (card.dataset.pending === 'true' || card.contains(document.activeElement)) return true;
  return [...card.querySelectorAll('textarea, input[type="checkbox"]')].some((field) => (field.type === 'checkbox' ? field.checked : field.value.trim() !== ''));
}

/** What the API said, from an ApiError (its body is `{error: {code, message, details}}`). */
function apiProblem(error) {
  const inner = error?.body?.error;
  return {
    status: error?.status ?? 0,
    message: typeof inner?.message === 'string' ? inner.message : String(error?.message ?? error),
    details: inner?.details ?? {},
    issues: Array.isArray(inner?.details?.issues) ? inner.details.issues : (error?.issues ?? []),
  };
}

/** A closed question's end, in words: "answered (allow) by cli:ana@box". */
function closedText(q) {
  const a = q.answer;
  const what = a == null ? '' : a.decision ?? a.choice_text ?? a.text ?? '';
  return `${q.status.replace('_', ' ')}${what === '' ? '' : ` (${what})`}${q.answered_by ? ` by ${q.answered_by}` : ''}`;
}

/** Read the open cards again; keep the ones still open in place; say which busy ones were closed elsewhere. */
async function reloadOpen() {
  const response = await fetch(openBox.dataset.fragment, { credentials: 'same-origin', headers: { accept: 'text/html' } });
  if (response.status === 401) return location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
  if (!response.ok) throw new Error(`${response.status} reading the inbox`);
  const template = document.createElement('template');
  template.innerHTML = await response.text(); // the server's fragment: rendered and escaped there
  const fresh = [...template.content.querySelectorAll('article[data-question]')];
  const wanted = new Set(fresh.map((card) => card.dataset.question));
  const list = openBox.querySelector('.inbox-cards');
  const kept = new Map();
  for (const card of [...list.querySelectorAll(':scope > article[data-question]')]) {
    const id = card.dataset.question;
    if (!wanted.has(id)) {
      if (card.dataset.pending === 'true') continue; // our own answer is on its way: its handler removes the card
      if (busy(card) && !answeredHere.has(id)) closedElsewhere(id);
      card.remove();
    } else kept.set(id, card);
  }
  // The wanted order. A kept card is moved only when it is out of place (a move would take its focus away).
  let cursor = list.firstElementChild;
  for (const card of fresh) {
    const node = kept.get(card.dataset.question) ?? card;
    if (node === cursor) cursor = cursor.nextElementSibling;
    else list.insertBefore(node, cursor);
  }
  openBox.querySelector('.inbox-summary').replaceWith(template.content.querySelector('.inbox-summary'));
  openBox.dispatchEvent(new CustomEvent('refreshed', { bubbles: true }));
  countdown();
}

/** A card someone was looking at was closed by someone else: say who. */
async function closedElsewhere(id) {
  try {
    const q = await api('GET', `/v1/questions/${encodeURIComponent(id)}`);
    flash(`${id} was ${closedText(q)} elsewhere.`, 'error');
  } catch {
    flash(`${id} was closed elsewhere.`, 'error');
  }
}

const reloadRecent = () => refresh(recentBox, recentBox.dataset.fragment).catch(() => undefined);
const again = throttle(() => Promise.all([reloadOpen().catch(() => undefined), reloadRecent()]), 400);
onChanges((change) => {
  if (change.reconnected || change.more || (change.questions ?? []).length > 0) again();
});

/** The answer a form's button makes. */
function answerOf(form, submitter) {
  const body = { answered_by: answerer() };
  const note = form.elements.namedItem('message')?.value.trim() ?? '';
  if (note !== '') body.message = note;
  if (form.dataset.kind === 'approval') {
    body.decision = submitter?.value === 'deny' ? 'deny' : 'allow';
    if (body.decision === 'allow' && form.elements.namedItem('remember')?.checked) body.remember = true;
  } else if (submitter?.name === 'choice') {
    body.choice = Number(submitter.value);
  } else {
    body.text = form.elements.namedItem('text').value;
  }
  return body;
}

// An error shown on a form goes once its fields are changed.
openBox.addEventListener('input', (event) => {
  const form = event.target.closest('form.q-answer');
  if (form?.querySelector('.field-error')) clearErrors(form);
});

openBox.addEventListener('submit', async (event) => {
  const form = event.target.closest('form.q-answer');
  if (!form) return;
  event.preventDefault();
  const card = form.closest('article[data-question]');
  const id = form.dataset.question;
  clearErrors(form);
  const text = form.elements.namedItem('text');
  if (text && text.value.trim() === '') {
    showErrors(form, { message: 'write an answer', issues: [{ path: 'text', message: 'write an answer first' }] });
    return;
  }
  const body = answerOf(form, event.submitter);
  card.dataset.pending = 'true';
  const buttons = [...form.querySelectorAll('button')];
  buttons.forEach((b) => (b.disabled = true));
  try {
    const answered = await api('POST', `/v1/questions/${encodeURIComponent(id)}/answer`, body);
    answeredHere.add(id);
    card.remove();
    flash(`Answered ${id}: ${closedText(answered)}.`);
    again();
  } catch (error) {
    const problem = apiProblem(error);
    if (problem.status === 409 || problem.status === 404) {
      // Answered elsewhere (the CLI, Telegram, another person) or gone with its session: say so, drop the card.
      answeredHere.add(id);
      card.remove();
      flash(problem.status === 404 ? `${id} is gone: ${problem.message}` : `Not sent: ${problem.message}`, 'error');
      again();
      return;
    }
    delete card.dataset.pending;
    buttons.forEach((b) => (b.disabled = false));
    showErrors(form, problem);
  }
});

/** "in 4 min 3 s" until an ISO time. */
function until(iso, now = Date.now()) {
  const s = Math.round((Date.parse(iso) - now) / 1000);
  if (s <= 0) return 'now';
  if (s < 60) return `in ${s} s`;
  if (s < 3600) return `in ${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86400) return `in ${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `in ${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}
function countdown() {
  document.querySelectorAll('time[data-until]').forEach((t) => (t.textContent = until(t.getAttribute('datetime'))));
}
setInterval(countdown, 1000);
countdown();
