import { html } from 'hono/html';
import type { Hono } from 'hono';
import type { ConsoleDeps, ConsoleEnv } from '../console-page.js';

/** PLACEHOLDER: replaced by the page's real module. */
export function mountAgentPages(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  app.get('/agents', (c) => deps.render(c, { title: 'agents', section: '/agents', body: html`<p>Not built yet.</p>` }));
}
