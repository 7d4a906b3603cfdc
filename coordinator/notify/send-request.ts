import type { OutgoingRequest } from './targets/outgoing-request.js';

/** How one HTTP attempt ended. */
export type SendResult =
  | { ok: true; status: number }
  | { ok: false; error: string; /** 4xx other than 408 and 429: the target refused it, retrying will not help. */ permanent: boolean; retryAfterMs: number | null };

/** Longest piece of a target's answer kept in `last_error`. */
const MAX_ANSWER_CHARS = 200;

/**
 * POST one request with a timeout. Never throws; the error says what happened in words that hold no URL
 * (a Slack or Discord URL holds its token; the caller also redacts the config's secrets).
 */
export async function sendRequest(request: OutgoingRequest, timeoutMs: number, signal?: AbortSignal): Promise<SendResult> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const both = signal === undefined ? timeout : AbortSignal.any([timeout, signal]);
  try {
    const res = await fetch(request.url, { method: 'POST', headers: request.headers, body: request.body, signal: both, redirect: 'manual' });
    const text = await res.text().catch(() => '');
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
    const retryAfter = Number(res.headers.get('retry-after'));
    return {
      ok: false,
      error: `HTTP ${res.status}${text === '' ? '' : `: ${text.slice(0, MAX_ANSWER_CHARS).replace(/\s+/g, ' ')}`}`,
      permanent: res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429,
      retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : null,
    };
  } catch (error) {
    if (timeout.aborted) return { ok: false, error: `no answer within ${timeoutMs} ms`, permanent: false, retryAfterMs: null };
    if (signal?.aborted === true) return { ok: false, error: 'the coordinator stopped during the delivery', permanent: false, retryAfterMs: null };
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const code = cause?.code;
    const words = code === 'ECONNREFUSED' ? 'connection refused' : code === 'ENOTFOUND' ? 'host not found' : code === 'ECONNRESET' ? 'connection reset' : 'request failed';
    return { ok: false, error: `${words}${code === undefined ? '' : ` (${code})`}`, permanent: false, retryAfterMs: null };
  }
}
