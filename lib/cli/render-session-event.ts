import { RunStatusEventSchema, type SessionEvent } from '../../protocol/events.js';
import { ExecutorEventSchema } from '../../protocol/executor-event.js';
import { LABEL_WIDTH, renderEvent } from './render-event.js';
import type { Style } from './style.js';

/** A stored session event as a readable line: executor events as `invoke` shows them, run status changes dimmed. */
export function renderSessionEvent(record: SessionEvent, style: Style): string {
  if (record.type === 'run_status') {
    const e = record.event as { status?: string; message?: string; runner_id?: string | null; attempt?: number };
    const attempt = e.attempt !== undefined && e.attempt > 1 ? ` (attempt ${e.attempt})` : '';
    const where = e.status === 'claimed' ? ` by ${e.runner_id}` : e.status === 'running' ? ` on ${e.runner_id}` : '';
    const why = e.message === undefined || e.status === 'succeeded' ? '' : `: ${e.message}`;
    const line = `  ${'run'.padEnd(LABEL_WIDTH)}${e.status}${where}${attempt}${why}`;
    return ['failed', 'lost', 'timed_out', 'cancelled'].includes(e.status ?? '') ? style.red(line) : style.dim(line);
  }
  const parsed = ExecutorEventSchema.safeParse(record.event);
  return parsed.success ? renderEvent(parsed.data, style) : style.dim(`  ${record.type.padEnd(LABEL_WIDTH)}${JSON.stringify(record.event)}`);
}
