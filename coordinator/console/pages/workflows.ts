import { html } from 'hono/html';
import type { Hono } from 'hono';
import type { ConsoleDeps, ConsoleEnv } from '../console-page.js';

/** PLACEHOLDER: replaced by the page's real module. */
export function mountWorkflowPages(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  app.get('/workflows', (c) => deps.render(c, { title: 'workflows', section: '/workflows', body: html`<p>Not built yet.</p>` }));
}
