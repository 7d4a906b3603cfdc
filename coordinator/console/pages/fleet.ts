import type { Hono } from 'hono';
import { html } from 'hono/html';
import type { z } from 'zod';
import type { RunnerViewSchema } from '../../../protocol/runners.js';
import type { SystemStatusSchema } from '../../../protocol/status.js';
import type { UsageReportSchema } from '../../../protocol/usage.js';
import { fragment, type ConsoleDeps, type ConsoleEnv } from '../console-page.js';
import { money, statusBadge, timeAgo } from '../format.js';

type Status = z.infer<typeof SystemStatusSchema>;
type Runner = z.infer<typeof RunnerViewSchema>;
type Usage = z.infer<typeof UsageReportSchema>;

/** Midnight today, UTC (the day the fleet page's costs are summed over). */
export function startOfDayUtc(now: number): string {
  const d = new Date(now);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())).toISOString();
}

const percent = (rate: number | null) => (rate === null ? '–' : `${Math.round(rate * 1000) / 10}%`);

/** The fleet's figures: runners by state and slots, runs by state, success rate, cost per agent today. */
async function fleetBody(deps: ConsoleDeps) {
  const [status, { runners }, usage] = await Promise.all([
    deps.api<Status>('/v1/status'),
    deps.api<{ runners: Runner[] }>('/v1/runners'),
    deps.api<Usage>(`/v1/usage?since=${encodeURIComponent(startOfDayUtc(Date.now()))}`),
  ]);
  const live = runners.filter((r) => r.deregistered_at === null);
  const today = usage.since?.agents ?? [];
  const card = (figure: unknown, label: string, id: string) => html`<div class="card" data-figure="${id}"><div class="figure">${String(figure)}</div><div class="label">${label}</div></div>`;
  return html`<div class="cards">
${card(`${status.runners.slots_used}/${status.runners.slots_total}`, 'slots used', 'slots')}
${card(status.runners.online, 'runners online', 'online')}
${card(status.queue.depth, 'queued', 'queued')}
${card(status.runs.claimed, 'claimed', 'claimed')}
${card(status.runs.running, 'running', 'running')}
${card(status.runs.lost, 'lost', 'lost')}
${card(percent(status.last_hour.success_rate), 'success, last hour', 'success')}
${card(status.queue.age_s === null ? '–' : `${Math.round(status.queue.age_s)} s`, 'oldest queued', 'age')}
</div>
<h2>Runners</h2>
${
  live.length === 0
    ? html`<p class="muted">No runner is registered. Start one with <code>agent-runner daemon</code>.</p>`
    : html`<div class="table-wrap"><table id="runners">
<thead><tr><th>Runner</th><th>State</th><th class="hide-narrow">Host</th><th>Executors</th><th class="hide-narrow">Tags</th><th class="num">Slots</th><th>Heartbeat</th></tr></thead>
<tbody>${live.map(
        (r) => html`<tr data-runner="${r.runner_id}"><td><span title="${r.runner_id}">${r.name}</span></td><td>${statusBadge(r.status)}</td><td class="hide-narrow">${r.hostname}</td>
<td>${r.executors.join(', ')}</td><td class="hide-narrow">${r.tags.join(', ') || '–'}</td><td class="num">${r.slots_used}/${r.capacity}</td><td>${timeAgo(r.last_seen_at)}</td></tr>`,
      )}</tbody></table></div>`
}
<h2>Cost per agent today <span class="muted">(since ${usage.since?.time.slice(0, 10) ?? ''} UTC)</span></h2>
${
  today.length === 0
    ? html`<p class="muted">No session was started today.</p>`
    : html`<div class="table-wrap"><table id="cost-today">
<thead><tr><th>Agent</th><th class="num">Sessions</th><th class="num hide-narrow">Input tokens</th><th class="num hide-narrow">Output tokens</th><th class="num">Cost</th></tr></thead>
<tbody>${today.map(
        (a) => html`<tr><td>${a.name === null ? html`<span class="muted">(no agent)</span>` : html`<a href="/agents/${encodeURIComponent(a.name)}">${a.name}</a>`}</td><td class="num">${a.sessions}</td>
<td class="num hide-narrow">${a.input_tokens}</td><td class="num hide-narrow">${a.output_tokens}</td><td class="num">${money(a.cost_usd)}</td></tr>`,
      )}</tbody></table></div>`
}
<p class="hint">Coordinator ${status.coordinator.version} on ${status.coordinator.store}, up ${Math.round(status.coordinator.uptime_s)} s. Read at ${status.time}.</p>`;
}

/** `/fleet`: runners, queue depth by state, success rate, cost per agent today; kept current by fleet.js. */
export function mountFleetPage(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  app.get('/fleet', async (c) => {
    const body = await fleetBody(deps);
    if (c.req.query('fragment') === 'body') return fragment(c, body);
    return deps.render(c, { title: 'Fleet', section: '/fleet', body: html`<div id="fleet" data-fragment="/fleet?fragment=body">${body}</div>`, scripts: ['fleet.js'] });
  });
}
