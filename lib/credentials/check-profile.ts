/**
 * `credentials check`: does a profile's key work now? One cheap authenticated read of the Anthropic API the
 * profile points at (`GET {ANTHROPIC_BASE_URL}/v1/models?limit=1`), which costs no tokens. The answer is
 * a state and a reason; the key itself is never part of either.
 */
import type { CredentialProfile } from './credentials-file.js';

export const DEFAULT_ANTHROPIC_BASE_URL = 'https://api.anthropic.com';

export type ProfileCheckState = 'ok' | 'failing' | 'rate_limited' | 'unreachable' | 'not_checked';

export interface ProfileCheck {
  profile: string;
  state: ProfileCheckState;
  /** What was asked and what it answered, in words. */
  detail: string;
  /** For `rate_limited`: when the API says to come back (ISO), if it said. */
  retry_at?: string;
}

/** The headers that authenticate as the profile: an API key, else a bearer token (OAuth or gateway). */
function authHeaders(env: Readonly<Record<string, string>>): Record<string, string> | null {
  if (env.ANTHROPIC_API_KEY !== undefined) return { 'x-api-key': env.ANTHROPIC_API_KEY };
  const bearer = env.CLAUDE_CODE_OAUTH_TOKEN ?? env.ANTHROPIC_AUTH_TOKEN;
  if (bearer === undefined) return null;
  return { authorization: `Bearer ${bearer}`, ...(env.CLAUDE_CODE_OAUTH_TOKEN !== undefined ? { 'anthropic-beta': 'oauth-2025-04-20' } : {}) };
}

/** When a 429 says to retry: `retry-after` (seconds or a date), else the rate-limit reset headers. */
function retryAt(headers: Headers, now: number): string | undefined {
  const after = headers.get('retry-after');
  if (after !== null) {
    const seconds = Number(after);
    if (Number.isFinite(seconds) && seconds >= 0) return new Date(now + seconds * 1000).toISOString();
    const date = Date.parse(after);
    if (!Number.isNaN(date)) return new Date(date).toISOString();
  }
  for (const name of ['anthropic-ratelimit-requests-reset', 'anthropic-ratelimit-tokens-reset', 'anthropic-ratelimit-unified-reset']) {
    const value = headers.get(name);
    if (value === null) continue;
    const at = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value);
    if (!Number.isNaN(at)) return new Date(at).toISOString();
  }
  return undefined;
}

/** The API's own error message from its JSON body (`{error: {message}}`), clipped, if it has one. */
async function apiMessage(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { error?: { message?: unknown } };
    return typeof body.error?.message === 'string' ? `: ${body.error.message.slice(0, 200)}` : '';
  } catch {
    return '';
  }
}

/** Check one profile against its API within `timeoutMs`. */
export async function checkProfile(profile: CredentialProfile, options: { timeoutMs: number; now?: () => number }): Promise<ProfileCheck> {
  const auth = authHeaders(profile.env);
  if (auth === null) return { profile: profile.name, state: 'not_checked', detail: 'no ANTHROPIC_API_KEY, CLAUDE_CODE_OAUTH_TOKEN or ANTHROPIC_AUTH_TOKEN to check' };
  const base = (profile.env.ANTHROPIC_BASE_URL ?? DEFAULT_ANTHROPIC_BASE_URL).replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(`${base}/v1/models?limit=1`);
  } catch {
    return { profile: profile.name, state: 'failing', detail: 'ANTHROPIC_BASE_URL is not a URL' };
  }
  const where = `${url.origin}${url.pathname}`;
  let response: Response;
  try {
    response = await fetch(url, { headers: { ...auth, 'anthropic-version': '2023-06-01' }, signal: AbortSignal.timeout(options.timeoutMs), redirect: 'error' });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    return { profile: profile.name, state: 'unreachable', detail: `GET ${where}: ${cause === 'TimeoutError' ? `no answer in ${options.timeoutMs} ms` : cause}` };
  }
  const answered = `GET ${where}: ${response.status}`;
  if (response.ok) {
    await response.body?.cancel();
    return { profile: profile.name, state: 'ok', detail: answered };
  }
  const message = await apiMessage(response);
  if (response.status === 429) {
    const at = retryAt(response.headers, options.now?.() ?? Date.now());
    return { profile: profile.name, state: 'rate_limited', detail: `${answered}${message}`, ...(at === undefined ? {} : { retry_at: at }) };
  }
  return { profile: profile.name, state: 'failing', detail: `${answered}${message}` };
}
