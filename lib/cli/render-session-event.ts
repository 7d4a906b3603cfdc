import { RunStatusEventSchema, type SessionEvent } from '../../protocol/events.js';
import { ExecutorEventSchema } from '../../protocol/executor-event.js';
import { LABEL_WIDTH, renderEvent } from './render-event.js';
import { AnswerEventSchema, QuestionEventSchema } from '../../protocol/questions.js';
import { describeClosed } from './render-question.js';
import type { Style } from './style.js';
import { terminalText } from './terminal-text.js';

/** Statuses that end a run: their reason is said once by `run`'s closing line, not also on the status line. */
const ENDINGS = new Set(['succeeded', 'failed', 'timed_out', 'cancelled']);

/**
 * A stored session event as a readable line: executor events as `invoke` shows them, run status changes
 * dimmed. `endReason: false` leaves the reason off a run's ending status (a closing line that says it follows).
 */
export function renderSessionEvent(record: SessionEvent, style: Style, options: { endReason?: boolean } = {}): string {
  const status = record.type === 'run_status' ? RunStatusEventSchema.safeParse(record.event) : undefined;
  if (status?.success === true) {
    const e = status.data;
    const attempt = e.attempt > 1 ? ` (attempt ${e.attempt})` : '';
    const where = e.status === 'claimed' ? ` by ${e.runner_id}` : e.status === 'running' ? ` on ${e.runner_id}` : '';
    const omit = e.status === 'succeeded' || (options.endReason === false && ENDINGS.has(e.status));
    const why = e.message === undefined || omit ? '' : `: ${e.message}`;
    const line = terminalText(`  ${'run'.padEnd(LABEL_WIDTH)}${e.status}${where}${attempt}${why}`);
    return ['failed', 'lost', 'timed_out', 'cancelled'].includes(e.status) ? style.red(line) : style.dim(line);
  }
  const question = record.type === 'question' ? QuestionEventSchema.safeParse(record.event) : undefined;
  if (question?.success === true) {
    const q = question.data;
    const what = q.kind === 'approval' ? `approval ${q.question_id}: ${q.subject?.tool ?? ''} ${JSON.stringify(q.subject?.input ?? {})}` : `${q.question_id}: ${q.question}`;
    const options = q.options === null ? '' : ` ${q.options.map((o, i) => `[${i}] ${o}`).join(' ')}`;
    return style.yellow(terminalText(`  ${'question'.padEnd(LABEL_WIDTH)}${what}${options}`));
  }
  const answer = record.type === 'answer' ? AnswerEventSchema.safeParse(record.event) : undefined;
  if (answer?.success === true) return style.dim(`  ${'answer'.padEnd(LABEL_WIDTH)}${terminalText(answer.data.question_id)} ${describeClosed(answer.data)}`);
  const parsed = ExecutorEventSchema.safeParse(record.event);
  return parsed.success ? renderEvent(parsed.data, style) : style.dim(terminalText(`  ${record.type.padEnd(LABEL_WIDTH)}${JSON.stringify(record.event)}`));
}
