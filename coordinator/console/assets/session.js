// A session's page: its events live (event-feed.js), its facts, tree and outcome read again when
// GET /v1/changes names it, its tree's root or a session of its tree; resume, stop (confirmed, with the
// cascade choice) and retry sent to the API with console.js api(), errors shown on the form.
import { api, clearErrors, flash, onChanges, refresh, showErrors, throttle } from './console.js';
import { followEvents } from './event-feed.js';

const page = document.getElementById('session');
const id = page.dataset.session;
const rootId = page.dataset.root;
const path = `/v1/sessions/${encodeURIComponent(id)}`;
const parts = ['facts', 'tree', 'outcome'].map((name) => document.getElementById(name));
const feed = document.getElementById('events');

const resumeForm = document.getElementById('resume-form');
const stopForm = document.getElementById('stop-form');
const retryForm = document.getElementById('retry-form');
const resumeButton = document.getElementById('resume-button');
const stopButton = document.getElementById('stop-button');
const retryButton = document.getElementById('retry-button');
const confirmBox = document.getElementById('stop-confirm');
const cascade = document.getElementById('stop-cascade');
let busy = false;

/** Which actions the session allows now (from the parts last read): resume and retry once ended, stop while it or a descendant is in flight. */
function updateButtons() {
  const facts = document.querySelector('#facts .facts');
  const ended = facts?.dataset.ended === '1';
  // Its descendants in flight (a cascading stop reaches them; not its siblings').
  const mine = document.querySelector(`#tree li[data-session="${CSS.escape(id)}"]`);
  const inFlight = mine?.querySelectorAll('li[data-status="queued"], li[data-status="running"]').length ?? 0;
  resumeButton.disabled = busy || !ended;
  retryButton.disabled = busy || !ended || facts?.dataset.retryable !== '1';
  stopButton.disabled = busy || (ended && inFlight === 0);
}

const readAgain = throttle(async () => {
  await Promise.all(parts.map((el) => refresh(el, el.dataset.fragment).catch(() => undefined)));
  updateButtons();
}, 500);

onChanges((change) => {
  if (change.reconnected || change.more) return readAgain();
  const shown = new Set(Array.from(document.querySelectorAll('#tree [data-session]'), (el) => el.dataset.session));
  if (change.sessions.includes(id) || change.trees.includes(rootId) || change.sessions.some((s) => shown.has(s))) readAgain();
});

followEvents(feed, id);
feed.addEventListener('events', () => document.getElementById('no-events')?.remove());
feed.scrollTop = feed.scrollHeight;

// What the page before this one said (a retry names the session it retried).
const said = sessionStorage.getItem('console-flash');
if (said !== null) {
  sessionStorage.removeItem('console-flash');
  flash(said);
}

/** Run one action: buttons off while it is sent, its error shown on `form`. */
async function act(form, action) {
  clearErrors(form);
  busy = true;
  updateButtons();
  try {
    await action();
  } catch (error) {
    showErrors(form, error);
  } finally {
    busy = false;
    updateButtons();
  }
}

resumeForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const prompt = resumeForm.elements.prompt;
  return act(resumeForm, async () => {
    const resumed = await api('POST', `${path}/resume`, { prompt: prompt.value });
    prompt.value = '';
    flash(`Resumed: run ${resumed.run_id} is ${resumed.status}.`);
    readAgain();
  });
});

// Stop asks first (a stray tap on a phone does not stop a tree).
stopForm.addEventListener('submit', (event) => {
  event.preventDefault();
  clearErrors(stopForm);
  document.getElementById('stop-question').textContent = cascade.checked ? 'Stop this session and every session below it?' : 'Stop this session only?';
  confirmBox.hidden = false;
  document.getElementById('stop-yes').focus();
});
document.getElementById('stop-no').addEventListener('click', () => {
  confirmBox.hidden = true;
  stopButton.focus();
});
document.getElementById('stop-yes').addEventListener('click', () => {
  confirmBox.hidden = true;
  return act(stopForm, async () => {
    const stopped = await api('POST', `${path}/stop`, { cascade: cascade.checked });
    const below = stopped.descendants.length;
    const self = stopped.run.stop_requested && stopped.run.finished_at === null ? 'its runner is stopping it' : `it is ${stopped.status}`;
    flash(`Stopped ${stopped.session_id}: ${self}${below > 0 ? `; ${below} descendant${below === 1 ? '' : 's'} stopped with it` : ''}.`);
    readAgain();
  });
});

retryForm.addEventListener('submit', (event) => {
  event.preventDefault();
  return act(retryForm, async () => {
    const retried = await api('POST', `${path}/retry`, {});
    sessionStorage.setItem('console-flash', `Started ${retried.session_id} as a retry of ${id}.`);
    location.assign(`/sessions/${encodeURIComponent(retried.session_id)}`);
  });
});
