import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

/** What a console page's body is: `html` templates (which escape every value put in them) and plain text. */
export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** The sections of the console, in the order of its navigation bar. */
export const SECTIONS = [
  { path: '/sessions', label: 'Sessions' },
  { path: '/chat', label: 'Chat' },
  { path: '/inbox', label: 'Inbox' },
  { path: '/workflows', label: 'Workflows' },
  { path: '/fleet', label: 'Fleet' },
  { path: '/agents', label: 'Agents' },
] as const;

export type Section = (typeof SECTIONS)[number]['path'];

export interface PageOptions {
  title: string;
  section: Section | null;
  /** The CSRF token the page's script sends with each change it makes ('' on a coordinator without an API token). */
  csrf: string;
  body: Html;
  /** Page scripts (file names under /assets/), loaded as modules after console.js. */
  scripts?: readonly string[];
  /** Whether the page shows a sign-out button (a console behind the API token). */
  signedIn?: boolean;
}

/** The `<head>` of every console document: charset, viewport, no referrer elsewhere, the title, the stylesheet. */
export function documentHead(title: string, extra: Html | '' = '') {
  return html`<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${extra}
<meta name="referrer" content="same-origin">
<title>${title} · agent-runner</title>
<link rel="stylesheet" href="/assets/console.css">
<link rel="icon" href="data:,">
</head>`;
}

/** A whole console page: navigation, the page's body, the console's stylesheet and scripts. No remote asset. */
export function page(options: PageOptions): Html {
  const nav = SECTIONS.map(
    (s) => html`<li><a href="${s.path}"${options.section === s.path ? raw(' aria-current="page"') : ''}>${s.label}</a></li>`,
  );
  const scripts = ['console.js', ...(options.scripts ?? [])].map((file) => html`<script type="module" src="/assets/${file}"></script>`);
  return html`<!doctype html>
<html lang="en">
${documentHead(options.title, html`<meta name="csrf-token" content="${options.csrf}">`)}
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
<a class="brand" href="/">agent-runner</a>
<nav aria-label="Sections"><ul>${nav}</ul></nav>
${options.signedIn === true ? html`<form method="post" action="/logout" class="signout"><input type="hidden" name="csrf" value="${options.csrf}"><button type="submit">Sign out</button></form>` : ''}
</header>
<main id="main" tabindex="-1">
<h1>${options.title}</h1>
<div id="flash" role="status" aria-live="polite"></div>
${options.body}
</main>
${scripts}
</body>
</html>`;
}
