// An agent's page: Delete asks first (in the page, no browser dialog), then DELETE /v1/agents/:name.
import { api, flash } from './console.js';

const root = document.getElementById('agent');
const ask = document.getElementById('delete-agent');
const confirmBox = document.getElementById('delete-confirm');

const showConfirm = (open) => {
  confirmBox.hidden = !open;
  ask.setAttribute('aria-expanded', String(open));
  (open ? document.getElementById('delete-no') : ask).focus();
};

ask.addEventListener('click', () => showConfirm(confirmBox.hidden));
document.getElementById('delete-no').addEventListener('click', () => showConfirm(false));
document.getElementById('delete-yes').addEventListener('click', async (event) => {
  event.currentTarget.disabled = true;
  try {
    await api('DELETE', `/v1/agents/${encodeURIComponent(root.dataset.agent)}`);
    location.assign('/agents');
  } catch (error) {
    flash(error.message, 'error');
    event.currentTarget.disabled = false;
  }
});
