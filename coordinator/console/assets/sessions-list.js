// The sessions list: read the table again when sessions change (at most once a second, and not while the
// tab is in the background). On the first page, any change may add a row or move one; on a later page,
// only a change to a row shown matters.
import { onChanges, refresh, throttle, whenVisible } from './console.js';

const box = document.getElementById('sessions');
const again = whenVisible(throttle(() => refresh(box, box.dataset.fragment).catch(() => undefined), 1000));
const shown = (id) => box.querySelector(`tr[data-session="${CSS.escape(id)}"]`) !== null;

onChanges((change) => {
  if (box.dataset.page === 'first' || change.more || change.reconnected) return again();
  if (change.sessions.some(shown) || change.trees.some(shown)) again();
});
