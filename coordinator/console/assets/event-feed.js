// A session's events, live: the feed element holds the events rendered so far (server-rendered
// <article data-seq>); this follows the API's SSE stream of the session (from the last seq shown) and, as
// events are stored, appends the server's rendering of the new ones (GET /sessions/:id/events?after=N).
// Several events in a burst make one fetch. Scrolled to the bottom, the feed stays at the bottom.
import { follow } from './console.js';

/**
 * Follow session `sessionId`'s events into `feed` (its `data-last-seq`: the last seq already shown).
 * @returns a function that stops following.
 */
export function followEvents(feed, sessionId) {
  let last = Number(feed.dataset.lastSeq ?? 0);
  let busy = false;
  let again = false;
  const pull = async () => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      await pullAll();
    } catch {
      // The network went away mid-read (the page is being left, the coordinator restarts): the stream's
      // next message, or its reconnection, reads again from the last seq shown.
    } finally {
      busy = false;
    }
  };
  /** Read and append pages of events after `last` until none is left. */
  const pullAll = async () => {
    let more = true;
    while (more || again) {
      again = false;
      const response = await fetch(`/sessions/${encodeURIComponent(sessionId)}/events?after=${last}`, { credentials: 'same-origin' });
      if (!response.ok) return;
      const html = await response.text();
      const next = Number(response.headers.get('x-next-after') ?? last);
      more = response.headers.get('x-more') === '1' && next > last;
      if (html.trim() !== '' && next > last) {
        const atBottom = feed.scrollHeight - feed.scrollTop - feed.clientHeight < 40;
        feed.insertAdjacentHTML('beforeend', html);
        if (atBottom) feed.scrollTop = feed.scrollHeight;
        feed.dispatchEvent(new CustomEvent('events', { bubbles: true, detail: { after: last, last: next } }));
        document.dispatchEvent(new CustomEvent('refreshed'));
      }
      last = Math.max(last, next);
      feed.dataset.lastSeq = String(last);
    }
  };
  // The stream starts after what the page shows; each message says events were stored (their HTML is read).
  return follow(`/v1/sessions/${encodeURIComponent(sessionId)}/events?after=${last}`, { message: () => void pull() }, () => void pull());
}
