import { html } from 'hono/html';
import type { Hono } from 'hono';
import type { ConsoleDeps, ConsoleEnv } from '../console-page.js';

/** PLACEHOLDER: replaced by the page's real module. */
export function mountInboxPage(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  app.get('/inbox', (c) => deps.render(c, { title: 'inbox', section: '/inbox', body: html`<p>Not built yet.</p>` }));
}
