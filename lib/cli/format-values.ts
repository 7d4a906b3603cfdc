/**
 * How client commands show times, durations, ages, tokens and cost: one format for `sessions list`,
 * `sessions show`, `runners` and `status`. Times are local (`2026-01-31 14:05:09`; TZ moves them).
 */
import { totalTokens, type UsageTotals } from '../../protocol/tree.js';
import type { Style } from './style.js';

const pad2 = (n: number) => String(n).padStart(2, '0');

/** An ISO time as `YYYY-MM-DD HH:MM:SS` in local time; `-` for none, the text itself when it is not a time. */
export function formatTime(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return '-';
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  return `${t.getFullYear()}-${pad2(t.getMonth() + 1)}-${pad2(t.getDate())} ${pad2(t.getHours())}:${pad2(t.getMinutes())}:${pad2(t.getSeconds())}`;
}

/** A time of day as `HH:MM` in local time, with the date before it when it is not today (a rate limit's reset). */
export function localClock(at: number, now = Date.now()): string {
  const t = new Date(at);
  const n = new Date(now);
  const today = t.getFullYear() === n.getFullYear() && t.getMonth() === n.getMonth() && t.getDate() === n.getDate();
  return `${today ? '' : `${t.getFullYear()}-${pad2(t.getMonth() + 1)}-${pad2(t.getDate())} `}${pad2(t.getHours())}:${pad2(t.getMinutes())}`;
}

/** A duration, two units at most: `850ms`, `4.2s`, `3m12s`, `2h05m`, `3d04h`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)}s`;
  const s = Math.floor(ms / 1_000);
  if (s < 3_600) return `${Math.floor(s / 60)}m${pad2(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3_600)}h${pad2(Math.floor((s % 3_600) / 60))}m`;
  return `${Math.floor(s / 86_400)}d${pad2(Math.floor((s % 86_400) / 3_600))}h`;
}

/** A whole number with thousands separated by commas (`1,234,567`), without Intl (loading ICU costs a CLI ~15 ms). */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const sign = n < 0 ? '-' : '';
  return sign + String(Math.round(Math.abs(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** How long ago an ISO time was: `3s ago`; `-` for none. */
export function formatAge(iso: string | null | undefined, now = Date.now()): string {
  if (iso === null || iso === undefined) return '-';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : `${formatDuration(Math.max(0, now - t))} ago`;
}

const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/** A usage's cost as `$0.0123`; `-` when it reports none. */
export function formatCost(usage: Record<string, unknown> | null | undefined): string {
  const cost = num(usage?.cost_usd);
  return cost === undefined ? '-' : `$${cost.toFixed(4)}`;
}

/** Usage totals (a session's own or its tree's) as formatUsage shows a usage; `-` when nothing was counted. */
export function formatTotals(totals: UsageTotals | null | undefined): string {
  if (totals === null || totals === undefined || (totalTokens(totals) === 0 && totals.cost_usd === 0)) return '-';
  const { cache_read_input_tokens: read, cache_creation_input_tokens: write, cost_usd: cost, ...rest } = totals;
  return formatUsage({ ...rest, ...(read > 0 ? { cache_read_input_tokens: read } : {}), ...(write > 0 ? { cache_creation_input_tokens: write } : {}), cost_usd: cost });
}

/** A total's cost as `$0.0123`; `-` when nothing was counted (no tokens, no cost). */
export function formatTotalCost(totals: UsageTotals | null | undefined): string {
  return totals === null || totals === undefined || (totalTokens(totals) === 0 && totals.cost_usd === 0) ? '-' : formatCost(totals);
}

/** A usage's tokens and cost: `1200 in / 350 out tokens (800 cache read, 12 cache write), $0.0123`; `-` for none. */
export function formatUsage(usage: Record<string, unknown> | null | undefined): string {
  if (usage === null || usage === undefined) return '-';
  const parts: string[] = [];
  const input = num(usage.input_tokens);
  const output = num(usage.output_tokens);
  if (input !== undefined || output !== undefined) parts.push(`${input ?? 0} in / ${output ?? 0} out tokens`);
  const cache = [
    num(usage.cache_read_input_tokens) === undefined ? '' : `${num(usage.cache_read_input_tokens)} cache read`,
    num(usage.cache_creation_input_tokens) === undefined ? '' : `${num(usage.cache_creation_input_tokens)} cache write`,
  ].filter(Boolean);
  if (cache.length > 0) {
    const tokens = `${parts.pop() ?? '0 in / 0 out tokens'} (${cache.join(', ')})`;
    parts.push(tokens);
  }
  if (num(usage.cost_usd) !== undefined) parts.push(formatCost(usage));
  if (typeof usage.model === 'string') parts.push(`model ${usage.model}`);
  return parts.length === 0 ? JSON.stringify(usage) : parts.join(', ');
}

/**
 * Columns padded to their widest cell, the header in bold. The last column is not padded; on a terminal
 * (`columns` given) it is cut to what is left of the line, at least `minLast`. `paint` colours a cell after
 * padding (colour codes would skew it).
 */
export function renderTable(
  header: readonly string[],
  rows: readonly string[][],
  style: Style,
  options: { columns?: number | undefined; minLast?: number; paint?: (row: number, column: number, text: string) => string } = {},
): string {
  const last = header.length - 1;
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const room = options.columns === undefined ? Infinity : Math.max(options.minLast ?? 20, options.columns - widths.slice(0, last).reduce((a, w) => a + w + 2, 0) - 1);
  const cut = (text: string) => (text.length > room ? `${text.slice(0, room - 1)}…` : text);
  const line = (cells: readonly string[], row: number) =>
    cells
      .map((c, i) => {
        const text = i === last ? cut(c) : c.padEnd(widths[i]!);
        return row < 0 || options.paint === undefined ? text : options.paint(row, i, text);
      })
      .join('  ');
  return `${style.bold(line(header, -1))}\n${rows.map(line).join('\n')}\n`;
}
