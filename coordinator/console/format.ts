import { html } from 'hono/html';

/** A status as a badge (class `status-<status>`, styled by console.css). */
export function statusBadge(status: string) {
  return html`<span class="status status-${status.replace(/[^a-z_]/g, '')}">${status.replace(/_/g, ' ')}</span>`;
}

/** US dollars: four decimals under a dollar, two from there. */
export function money(usd: number): string {
  return usd < 1 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

/** A time as "N s ago" that console.js keeps current; the exact time on hover. */
export function timeAgo(iso: string | null) {
  if (iso === null) return html`<span class="muted">–</span>`;
  return html`<time datetime="${iso}" data-age title="${iso}">${iso}</time>`;
}

/** A duration in ms as "850 ms", "12.3 s", "4 min 5 s", "2 h 3 min". */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}
