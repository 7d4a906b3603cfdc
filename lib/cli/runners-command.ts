import type { RunnerView } from '../../protocol/runners.js';
import { formatAge, renderTable } from './format-values.js';
import { makeStyle, type Style } from './style.js';
import { terminalText } from './terminal-text.js';
import { type ClientOptions, withConnection } from './with-connection.js';

const list = (items: readonly string[]) => (items.length === 0 ? '-' : terminalText(items.join(',')));

function paintState(runner: RunnerView, text: string, style: Style): string {
  if (runner.status === 'online') return style.green(text);
  return runner.status === 'stale' ? style.yellow(text) : style.dim(text);
}

/**
 * `agent-runner runners [--all]`: the fleet, one runner a line (id, name and host, executors, tags, slots
 * used/total, last heartbeat, state). Offline runners (deregistered, or silent for 10 leases) are left out
 * unless `--all`: every command that ran in-process registered one. `--json`: the same runners as the API shows them.
 */
export async function runnersCommand(options: ClientOptions & { all?: boolean }): Promise<number> {
  return withConnection(options, false, async ({ api, embedded }) => {
    const all = (await api.listRunners()).runners;
    const shown = options.all ? all : all.filter((r) => r.status !== 'offline');
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ runners: shown }, null, 2)}\n`);
      return 0;
    }
    const style = makeStyle(process.stdout);
    const hidden = all.length - shown.length;
    if (shown.length === 0) {
      const where = embedded ? 'no coordinator is running here (start one with `agent-runner`, or give --coordinator-url)' : 'start one with `agent-runner -c URL`';
      process.stdout.write(`No runners${hidden > 0 ? ' online' : ''}: ${where}.\n`);
    } else {
      const now = Date.now();
      const rows = shown.map((r) => [r.runner_id, terminalText(r.name), terminalText(r.hostname ?? '-'), list(r.tags), `${r.slots_used}/${r.capacity}`, formatAge(r.last_seen_at, now), r.status, list(r.executors)]);
      const header = ['RUNNER', 'NAME', 'HOST', 'TAGS', 'SLOTS', 'HEARTBEAT', 'STATE', 'EXECUTORS'];
      const columns = process.stdout.isTTY === true ? process.stdout.columns : undefined;
      process.stdout.write(renderTable(header, rows, style, { columns, paint: (row, column, text) => (column === 6 ? paintState(shown[row]!, text, style) : text) }));
    }
    if (hidden > 0) process.stdout.write(style.dim(`${hidden} offline runner${hidden === 1 ? '' : 's'} not shown (--all lists them)\n`));
    return 0;
  });
}
