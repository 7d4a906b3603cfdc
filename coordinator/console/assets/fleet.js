// The fleet page: read again when anything changes (at most once a second) and every 5 s (heartbeats
// age); not while the tab is in the background.
import { onChanges, refresh, throttle, whenVisible } from './console.js';

const box = document.getElementById('fleet');
const again = whenVisible(throttle(() => refresh(box, box.dataset.fragment).catch(() => undefined), 1000));
onChanges(again);
setInterval(again, 5000);
