import { html } from 'hono/html';
import { documentHead, type Html } from '../layout.js';

/** Where to go after signing in: a path on this server only (never `//host` or a URL elsewhere). */
export function safeNext(next: string | undefined): string {
  if (next === undefined || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || /[\0-\x1f]/.test(next)) return '/';
  return next.slice(0, 2000);
}

/** The sign-in form: one password field for the API token; `problem` is shown on the field. */
export function loginPage(next: string, problem: string | null): Html {
  return html`<!doctype html>
<html lang="en">
${documentHead('Sign in')}
<body>
<main id="main" class="login">
<h1>agent-runner</h1>
<form method="post" action="/login" class="card">
<input type="hidden" name="next" value="${next}">
<label for="token">API token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus${problem === null ? '' : html` aria-invalid="true" aria-describedby="token-error"`}>
${problem === null ? '' : html`<p class="field-error" id="token-error">${problem}</p>`}
<p class="hint">The coordinator's API token (<code>--api-token</code> or <code>AGENT_COORDINATOR_TOKEN</code>). Signing in sets a cookie for this site only, for 7 days.</p>
<button type="submit">Sign in</button>
</form>
</main>
</body>
</html>`;
}
