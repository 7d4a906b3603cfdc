import type { NotificationView } from '../../protocol/notifications.js';
import { CliError } from './cli-error.js';
import { formatAge, renderTable } from './format-values.js';
import { makeStyle, type Style } from './style.js';
import { terminalText } from './terminal-text.js';
import { type ClientOptions, withConnection } from './with-connection.js';

/** Most rows `notifications` shows (`--limit`), as the API allows. */
const MAX_LIMIT = 500;

function paintStatus(n: NotificationView, text: string, style: Style): string {
  if (n.status === 'delivered') return style.green(text);
  return n.status === 'failed' ? style.red(text) : style.yellow(text);
}

/**
 * `agent-runner notifications [--failed] [--limit N] [--json]`: the outbox, newest first: when, event,
 * target (and Telegram chat), status, attempts, the session, and the last error (a target's answer, escaped
 * for the terminal). `--json`: the API's page.
 */
export async function notificationsCommand(options: ClientOptions & { failed?: boolean; limit?: string }): Promise<number> {
  const limit = options.limit === undefined ? 50 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new CliError(`--limit: "${options.limit}" must be a whole number from 1 to ${MAX_LIMIT}`, 2);
  return withConnection(options, false, async ({ api }) => {
    const page = await api.listNotifications({ status: options.failed ? 'failed' : undefined, limit });
    if (options.json) {
      process.stdout.write(`${JSON.stringify(page, null, 2)}\n`);
      return 0;
    }
    const style = makeStyle(process.stdout);
    if (page.notifications.length === 0) {
      process.stdout.write(options.failed ? 'No failed notifications.\n' : 'No notifications (start the coordinator with --notify FILE to send some).\n');
      return 0;
    }
    const now = Date.now();
    const rows = page.notifications.map((n) => [
      formatAge(n.created_at, now),
      n.event,
      terminalText(n.recipient === null ? n.target : `${n.target}:${n.recipient}`),
      n.status,
      String(n.attempts),
      n.session_id ?? '-',
      terminalText(n.last_error ?? '-'),
    ]);
    const columns = process.stdout.isTTY === true ? process.stdout.columns : undefined;
    process.stdout.write(
      renderTable(['WHEN', 'EVENT', 'TARGET', 'STATUS', 'ATTEMPTS', 'SESSION', 'LAST ERROR'], rows, style, {
        columns,
        paint: (row, column, text) => (column === 3 ? paintStatus(page.notifications[row]!, text, style) : text),
      }),
    );
    if (page.next_cursor !== null) process.stdout.write(style.dim(`more not shown (--limit ${Math.min(MAX_LIMIT, limit * 2)} shows more)\n`));
    return 0;
  });
}
