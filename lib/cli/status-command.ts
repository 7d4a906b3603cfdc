import type { SystemStatus } from '../../protocol/status.js';
import { formatDuration, localClock } from './format-values.js';
import { terminalText } from './terminal-text.js';
import { makeStyle, type Style } from './style.js';
import { type ClientOptions, withConnection } from './with-connection.js';

/** Width of the label column (the longest label and two spaces). */
const LABEL = 13;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The status as one screen: a line each for the coordinator, runners, runs, queue, last hour and sessions. */
export function describeStatus(s: SystemStatus, where: string, style: Style): string {
  const line = (label: string, text: string) => `${style.bold(label.padEnd(LABEL))}${text}`;
  const { runners, runs, queue, last_hour: hour, sessions } = s;
  const ended = hour.succeeded + hour.failed + hour.cancelled + hour.timed_out;
  const rate = hour.success_rate === null ? 'no run ended' : `${(hour.success_rate * 100).toFixed(hour.success_rate === 1 ? 0 : 1)}% succeeded`;
  const fleet = `${runners.online} online (${runners.slots_used}/${runners.slots_total} slots busy), ${runners.stale} stale, ${runners.offline} offline`;
  return [
    line('coordinator', `${where} · agent-runner ${s.coordinator.version} · ${s.coordinator.store} · up ${formatDuration(s.coordinator.uptime_s * 1000)}`),
    line('runners', runners.online === 0 ? style.yellow(fleet) : fleet),
    line('runs', `${runs.queued} queued, ${runs.claimed} claimed, ${runs.running} running, ${runs.lost} lost`),
    line('queue', queue.depth === 0 ? 'empty' : `${plural(queue.depth, 'run')} waiting, the oldest for ${formatDuration((queue.age_s ?? 0) * 1000)}`),
    line('last hour', `${plural(ended, 'run')} ended: ${hour.succeeded} succeeded, ${hour.failed} failed, ${hour.cancelled} cancelled, ${hour.timed_out} timed out · ${rate}`),
    line('sessions', `${sessions.running} running, ${sessions.queued} queued`),
    ...(s.rate_limits ?? []).map((p) =>
      line('rate limit', style.yellow(`profile ${terminalText(p.profile)}${p.model === null ? '' : ` (model ${terminalText(p.model)})`} parked until ${localClock(Date.parse(p.until))}, ${plural(p.runs_waiting, 'run')} waiting: ${terminalText(p.message)}`)),
    ),
  ].join('\n') + '\n';
}

/** `agent-runner status [--json]`: one screen of system status (`GET /v1/status`). */
export async function statusCommand(options: ClientOptions): Promise<number> {
  return withConnection(options, false, async ({ api, embedded }) => {
    const status = await api.getStatus();
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ url: embedded ? null : api.baseUrl, ...status }, null, 2)}\n`);
      return 0;
    }
    const where = embedded ? 'in-process for this command (none is running here; this folder\'s database)' : api.baseUrl;
    process.stdout.write(describeStatus(status, where, makeStyle(process.stdout)));
    return 0;
  });
}
