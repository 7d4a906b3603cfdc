import type { Hono } from 'hono';
import type { ConsoleDeps, ConsoleEnv } from '../console-page.js';

/** PLACEHOLDER: replaced by the page's real module. */
export function mountSessionPages(_app: Hono<ConsoleEnv>, _deps: ConsoleDeps): void {
  // `/sessions` (the list) is pages/sessions-list.ts's; `/sessions/:id` is this module's.
}
