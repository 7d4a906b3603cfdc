// The fleet page: read again when anything changes (at most twice a second) and every 5 s (heartbeats age).
import { onChanges, refresh, throttle } from './console.js';

const box = document.getElementById('fleet');
const again = throttle(() => refresh(box, box.dataset.fragment).catch(() => undefined), 500);
onChanges(again);
setInterval(again, 5000);
