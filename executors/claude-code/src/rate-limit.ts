/**
 * Claude's rate and usage limits, as Claude Code reports them, → one `rate_limited` event (docs/claude-code.md).
 * Pure given `now`. Claude Code says a limit was hit in four ways, all read here:
 * - `rate_limit_event` with `rate_limit_info.status: "rejected"` (claude.ai subscriptions): `resetsAt` in epoch seconds;
 * - `system/api_retry` with `error_status: 429` (or `error: "rate_limit"`): it is about to wait `retry_delay_ms`
 *   itself, up to 10 times (about 2.5 min with the API's retry-after): the executor stops it instead, so the
 *   coordinator parks the run and can move it to another credential profile at once;
 * - a synthetic assistant message with `error: "rate_limit"`, then a `result` with `api_error_status: 429`;
 * - a result text such as "Claude AI usage limit reached|1733166000" or "5-hour limit reached ∙ resets 9:20pm (Europe/Berlin)".
 */
import type { RateLimitedEvent } from '../../../protocol/executor-event.js';

type Loose = Record<string, unknown>;
const isObject = (v: unknown): v is Loose => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** What a run learnt about its limits before Claude Code said it stopped (a subscription's reset time comes first). */
export interface RateLimitState {
  /** The reset time a rejected `rate_limit_event` gave, in ms. */
  resetsAt: number | undefined;
  /** Set once a limit was reported: the executor reports one, then ends. */
  reported: RateLimitedEvent | undefined;
}

export const newRateLimitState = (): RateLimitState => ({ resetsAt: undefined, reported: undefined });

/** A usage limit's text: "usage limit reached", "5-hour limit reached", "You've hit your limit". */
const USAGE_LIMIT_TEXT = /usage limit reached|limit reached|hit your (?:usage )?limit|rate limit/i;
/** The epoch seconds older Claude Code appends: "Claude AI usage limit reached|1733166000". */
const EPOCH_SUFFIX = /\|(\d{10})\b/;
/** "resets at 9:20pm", "resets 9pm (Europe/Berlin)". */
const RESETS_AT = /resets(?: at)? (\d{1,2})(?::(\d{2}))?\s*(am|pm)?(?: \(([A-Za-z_]+(?:\/[A-Za-z_+-]+)*)\))?/i;
/** Model-specific weekly limits ("seven_day_opus") hold back only that model. */
const MODEL_LIMITS = new Set(['seven_day_opus', 'seven_day_sonnet']);

/**
 * Read one SDK message: returns the `rate_limited` event to report when this message says the run hit a
 * limit (once per run), else undefined. `model` is the session's model (for model-scoped limits).
 */
export function detectRateLimit(message: unknown, state: RateLimitState, model: string | undefined, now: number): RateLimitedEvent | undefined {
  if (!isObject(message) || state.reported !== undefined) return undefined;
  if (message.type === 'rate_limit_event' && isObject(message.rate_limit_info)) {
    const info = message.rate_limit_info;
    const resetsAt = num(info.resetsAt);
    if (info.status !== 'rejected') return undefined;
    if (resetsAt !== undefined) state.resetsAt = resetsAt * 1000;
    const kind = str(info.rateLimitType);
    // The CLI goes on to a synthetic error message; reporting here already spares it the call.
    return report(state, `Claude usage limit reached (${kind ?? 'limit'})`, state.resetsAt, kind !== undefined && MODEL_LIMITS.has(kind) ? model : undefined);
  }
  if (message.type === 'system' && message.subtype === 'api_retry') {
    const status = num(message.error_status);
    if (status !== 429 && message.error !== 'rate_limit') return undefined;
    const delay = num(message.retry_delay_ms);
    const retryAt = state.resetsAt ?? (delay === undefined ? undefined : now + delay);
    return report(state, `Claude API answered HTTP ${status ?? 429} (rate limit); Claude Code would retry in ${delay ?? '?'} ms`, retryAt);
  }
  if (message.type === 'assistant' && message.error === 'rate_limit') {
    const text = textOf(message);
    return report(state, text || 'Claude API rate limit', state.resetsAt ?? resetFromText(text, now));
  }
  if (message.type === 'result' && message.is_error === true) {
    const text = str(message.result) ?? '';
    if (num(message.api_error_status) !== 429 && !USAGE_LIMIT_TEXT.test(text)) return undefined;
    return report(state, text || 'Claude API rate limit', state.resetsAt ?? resetFromText(text, now));
  }
  return undefined;
}

function report(state: RateLimitState, message: string, retryAt: number | undefined, model?: string): RateLimitedEvent {
  const event: RateLimitedEvent = { type: 'rate_limited', scope: model === undefined ? 'credential' : 'model', message: message.slice(0, 2000) };
  if (model !== undefined) event.model = model;
  if (retryAt !== undefined && Number.isFinite(retryAt)) event.retry_at = new Date(retryAt).toISOString();
  state.reported = event;
  return event;
}

function textOf(message: Loose): string {
  const body = isObject(message.message) ? message.message : {};
  const content = Array.isArray(body.content) ? body.content.filter(isObject) : [];
  return content.map((b) => str(b.text) ?? '').join(' ').trim();
}

/**
 * The reset time a limit's text gives, in ms: an epoch suffix, or the next "resets at H[:MM][am|pm]"
 * after `now`, in the named time zone when the text names one (else the executor's own). Undefined when
 * the text gives none.
 */
export function resetFromText(text: string, now: number): number | undefined {
  const epoch = EPOCH_SUFFIX.exec(text);
  if (epoch !== null) return Number(epoch[1]) * 1000;
  const at = RESETS_AT.exec(text);
  if (at === null) return undefined;
  let hour = Number(at[1]);
  const minute = at[2] === undefined ? 0 : Number(at[2]);
  const half = at[3]?.toLowerCase();
  if (hour > 23 || minute > 59 || (half !== undefined && (hour < 1 || hour > 12))) return undefined;
  if (half === 'pm' && hour < 12) hour += 12;
  if (half === 'am' && hour === 12) hour = 0;
  const offset = zoneOffsetMs(at[4], now);
  if (offset === undefined) return undefined;
  // Today's H:MM in that zone, or tomorrow's when it has passed.
  const local = new Date(now + offset);
  let reset = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate(), hour, minute) - offset;
  if (reset <= now) reset += 24 * 60 * 60 * 1000;
  return reset;
}

/** How far `zone` (an IANA name; undefined: this process's zone) is ahead of UTC at `at`, in ms; undefined for an unknown zone. */
function zoneOffsetMs(zone: string | undefined, at: number): number | undefined {
  if (zone === undefined) return -new Date(at).getTimezoneOffset() * 60_000;
  try {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(new Date(at));
    const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
    const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
    return asUtc - Math.floor(at / 1000) * 1000;
  } catch {
    return undefined;
  }
}
