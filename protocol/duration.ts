import { MAX_AGE_S, MAX_DURATION_MS } from './limits.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * Parse a duration like `500ms`, `30s`, `5m`, `1h30m` or a bare number of seconds, into milliseconds.
 * At most MAX_DURATION_MS (7 days): a longer one is surely a typo, and Node's timers overflow at 2^31 ms, ~24.8 days.
 * @throws Error naming the option and the accepted forms when the text is not a duration or is too long.
 */
export function parseDuration(text: string, option: string): number {
  const ms = parseAnyDuration(text, option);
  if (ms > MAX_DURATION_MS) throw new Error(`${option}: "${text}" is longer than the most allowed, 7d (168h)`);
  return ms;
}

function parseAnyDuration(text: string, option: string): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  const whole = parts.map((p) => p[0]).join('');
  if (parts.length === 0 || whole !== trimmed) {
    throw new Error(`${option}: "${text}" is not a duration (use e.g. 500ms, 30s, 5m, 1h30m)`);
  }
  const ms = parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2]!]!, 0);
  if (ms <= 0) throw new Error(`${option}: "${text}" must be longer than 0`);
  return Math.round(ms);
}

/** A duration for people: `850ms`, `4.2s`, `1m05s`, `10m`, `2h03m`, `7h` (parseDuration reads each back, rounded). */
export function formatDuration(ms: number): string {
  const whole = Math.max(0, Math.round(ms));
  if (whole < 1_000) return `${whole}ms`;
  if (whole < 60_000) return `${(Math.floor(whole / 100) / 10).toFixed(1)}s`;
  const seconds = Math.floor(whole / 1_000);
  if (seconds < 3_600) return seconds % 60 === 0 ? `${seconds / 60}m` : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
  const minutes = Math.floor(seconds / 60) % 60;
  return minutes === 0 ? `${Math.floor(seconds / 3_600)}h` : `${Math.floor(seconds / 3_600)}h${String(minutes).padStart(2, '0')}m`;
}

const AGE_UNIT_S: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400, w: 604_800 };

/**
 * Parse an age like `7d`, `12h`, `2w`, `1d12h` or a bare number of seconds (`0` is allowed: any age), into
 * whole seconds, at most MAX_AGE_S (100 years). For `sessions prune --older-than`.
 * @throws Error naming the option and the accepted forms when the text is not an age or is too long.
 */
export function parseAge(text: string, option: string): number {
  const trimmed = text.trim();
  let seconds: number;
  if (/^\d+$/.test(trimmed)) seconds = Number(trimmed);
  else {
    const parts = [...trimmed.matchAll(/(\d+)(s|m|h|d|w)/g)];
    if (parts.length === 0 || parts.map((p) => p[0]).join('') !== trimmed) {
      throw new Error(`${option}: "${text}" is not an age (use e.g. 30m, 12h, 7d, 2w)`);
    }
    seconds = parts.reduce((sum, p) => sum + Number(p[1]) * AGE_UNIT_S[p[2]!]!, 0);
  }
  if (seconds > MAX_AGE_S) throw new Error(`${option}: "${text}" is longer than the most allowed, 36500d (100 years)`);
  return seconds;
}
