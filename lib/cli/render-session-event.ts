import { RunStatusEventSchema, type SessionEvent } from '../../protocol/events.js';
import { ExecutorEventSchema } from '../../protocol/executor-event.js';
import { LABEL_WIDTH, renderEvent } from './render-event.js';
import type { Style } from './style.js';
import { terminalText } from './terminal-text.js';

/** A stored session event as a readable line: executor events as `invoke` shows them, run status changes dimmed. */
export function renderSessionEvent(record: SessionEvent, style: Style): string {
  const status = record.type === 'run_status' ? RunStatusEventSchema.safeParse(record.event) : undefined;
  if (status?.success === true) {
    const e = status.data;
    const attempt = e.attempt > 1 ? ` (attempt ${e.attempt})` : '';
    const where = e.status === 'claimed' ? ` by ${e.runner_id}` : e.status === 'running' ? ` on ${e.runner_id}` : '';
    const why = e.message === undefined || e.status === 'succeeded' ? '' : `: ${e.message}`;
    const line = terminalText(`  ${'run'.padEnd(LABEL_WIDTH)}${e.status}${where}${attempt}${why}`);
    return ['failed', 'lost', 'timed_out', 'cancelled'].includes(e.status) ? style.red(line) : style.dim(line);
  }
  const parsed = ExecutorEventSchema.safeParse(record.event);
  return parsed.success ? renderEvent(parsed.data, style) : style.dim(terminalText(`  ${record.type.padEnd(LABEL_WIDTH)}${JSON.stringify(record.event)}`));
}
