// Chat by @mention: the message goes to POST /v1/mentions (which checks every name before anything
// starts); the sessions it started are shown under it, their events followed live (event-feed.js) while
// they run, their status kept current over /v1/changes. The conversation is this tab's: kept in
// sessionStorage (the last 20 messages) and shown again on reload. Text goes in with textContent;
// everything else is the server's rendering (/chat/turn).
import { api, clearErrors, onChanges, refresh, showErrors, throttle } from './console.js';
import { followEvents } from './event-feed.js';

const form = document.getElementById('chat-form');
const box = document.getElementById('chat-message');
const send = document.getElementById('chat-send');
const conversation = document.getElementById('conversation');
const KEY = 'agent-runner.chat';
const KEEP = 20;
/** Streams open at once for sessions in flight (a browser has ~6 connections per server; /v1/changes takes one). */
const MAX_FOLLOWED = 3;
const ENDED = new Set(['idle', 'failed', 'cancelled']);
/** Session id → function that stops following its events. */
const followed = new Map();

const load = () => {
  try {
    const turns = JSON.parse(sessionStorage.getItem(KEY) ?? '[]');
    return Array.isArray(turns) ? turns : [];
  } catch {
    return [];
  }
};
const save = (turns) => sessionStorage.setItem(KEY, JSON.stringify(turns.slice(-KEEP)));
const sectionOf = (id) => conversation.querySelector(`section.chat-session[data-session="${CSS.escape(id)}"]`);
const turnUrl = (ids, part) => `/chat/turn?sessions=${ids.map(encodeURIComponent).join(',')}${part ? `&part=${part}` : ''}`;

/** Follow a shown session's events while it is in flight (up to MAX_FOLLOWED at once). */
function watch(section) {
  const id = section.dataset.session;
  if (!id || followed.has(id) || ENDED.has(section.dataset.status) || followed.size >= MAX_FOLLOWED) return;
  const feed = section.querySelector('.feed');
  if (feed) followed.set(id, followEvents(feed, id));
}

/** Read one session's block again (all its events, its status) and put it in place. */
async function reread(id) {
  const old = sectionOf(id);
  if (!old) return;
  const response = await fetch(turnUrl([id]), { credentials: 'same-origin' });
  if (!response.ok) return;
  const holder = document.createElement('div');
  holder.innerHTML = await response.text();
  const fresh = holder.querySelector('section.chat-session');
  if (fresh) old.replaceWith(fresh);
  document.dispatchEvent(new CustomEvent('refreshed'));
  if (fresh) watch(fresh);
}

/** A change to a shown session: its head again; when it ended, stop following and read it whole once more. */
async function changed(id) {
  const section = sectionOf(id);
  if (!section) return;
  const head = section.querySelector('[data-head]');
  if (head) await refresh(head, turnUrl([id], 'head')).catch(() => undefined);
  const status = head?.querySelector('.status')?.className.match(/status-([a-z_]+)/)?.[1];
  if (status) section.dataset.status = status;
  const stop = followed.get(id);
  if (stop && ENDED.has(status)) {
    stop();
    followed.delete(id);
    await reread(id);
  } else if (!stop) {
    await reread(id);
  }
  for (const other of conversation.querySelectorAll('section.chat-session')) watch(other);
}

/** Show a message and the sessions it started (newest first, under the box). */
async function show(message, ids) {
  const turn = document.createElement('article');
  turn.className = 'turn';
  const said = document.createElement('p');
  said.className = 'said';
  said.textContent = message;
  const sessions = document.createElement('div');
  sessions.className = 'turn-sessions';
  turn.append(said, sessions);
  conversation.prepend(turn);
  if (ids.length === 0) return;
  await refresh(sessions, turnUrl(ids));
  sessions.querySelectorAll('section.chat-session').forEach(watch);
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  // One message at a time (Enter pressed again while the last one is being sent does nothing).
  if (send.disabled) return;
  const message = box.value;
  clearErrors(form);
  if (message.trim() === '') {
    showErrors(form, { message: 'message: write one', issues: [{ path: 'message', message: 'write a message: @name, then what to do' }] });
    return;
  }
  send.disabled = true;
  try {
    const started = await api('POST', '/v1/mentions', { message });
    const ids = started.sessions.map((s) => s.session_id);
    save([...load(), { message, ids }]);
    box.value = '';
    await show(message, ids);
    if (started.errors.length > 0) showErrors(form, { message: started.errors.map((e) => `@${e.agent}: ${e.message}`).join('; '), issues: [] });
  } catch (error) {
    showErrors(form, error);
  } finally {
    send.disabled = false;
    box.focus();
  }
});

// Enter sends; Shift+Enter (and Enter while composing text in an input method) is a new line.
box.addEventListener('keydown', (event) => {
  if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
  event.preventDefault();
  form.requestSubmit();
});

const pending = new Set();
const flush = throttle(async () => {
  const ids = [...pending];
  pending.clear();
  for (const id of ids) await changed(id).catch(() => undefined);
}, 300);
onChanges((change) => {
  const ids = change.reconnected || change.more ? [...conversation.querySelectorAll('section.chat-session')].map((s) => s.dataset.session) : change.sessions;
  for (const id of ids) if (id && sectionOf(id)) pending.add(id);
  if (pending.size > 0) flush();
});

// The tab's conversation so far, oldest first so the newest ends on top.
for (const turn of load()) {
  if (typeof turn?.message === 'string' && Array.isArray(turn.ids)) await show(turn.message, turn.ids.filter((id) => typeof id === 'string'));
}
