import { html } from 'hono/html';
import type { Hono } from 'hono';
import type { ConsoleDeps, ConsoleEnv } from '../console-page.js';

/** PLACEHOLDER: replaced by the page's real module. */
export function mountChatPage(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  app.get('/chat', (c) => deps.render(c, { title: 'chat', section: '/chat', body: html`<p>Not built yet.</p>` }));
}
