import { html } from 'hono/html';
import type { Hono } from 'hono';
import type { ConsoleDeps, ConsoleEnv } from '../console-page.js';

/** PLACEHOLDER: replaced by the page's real module. */
export function mountSessionPages(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  app.get('/sessions', (c) => deps.render(c, { title: 'sessions', section: '/sessions', body: html`<p>Not built yet.</p>` }));
}
