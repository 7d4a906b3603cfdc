import type { QuestionView } from '../../protocol/questions.js';
import { formatAge, formatDuration } from './format-values.js';
import type { Style } from './style.js';
import { terminalText } from './terminal-text.js';

/** Indent every line of a block of text. */
const indent = (text: string, by = '    ') => text.split('\n').map((line) => `${by}${line}`).join('\n');

/**
 * One question or approval for a person to read: id, kind, urgency, session, agent, tree root, age; the
 * question; an approval's exact tool call (its input in full, as indented JSON); the options; the details.
 * Everything the agent wrote is escaped (terminalText). Pure.
 */
export function renderQuestion(q: QuestionView, style: Style, now = Date.now()): string {
  const head = [
    style.bold(q.question_id),
    q.kind === 'approval' ? style.yellow('approval') : 'question',
    q.urgency === 'high' ? style.red('urgent') : q.urgency === 'low' ? style.dim('low') : null,
    `session ${q.session_id}`,
    q.agent === null || q.agent === undefined ? null : `agent ${terminalText(q.agent)}`,
    q.root_session_id === q.session_id ? null : `root ${q.root_session_id}`,
    style.dim(formatAge(q.created_at, now)),
    q.timeout_at === null || q.status !== 'open'
      ? null
      : style.dim(`times out in ${formatDuration(Math.max(0, Date.parse(q.timeout_at) - now))}${q.on_timeout === null ? '' : ` (then ${q.on_timeout})`}`),
  ].filter((p) => p !== null);
  const lines = [head.join('  '), indent(terminalText(q.question, { lines: true }), '  ')];
  if (q.subject !== null) {
    lines.push(`  ${style.bold('tool call:')} ${terminalText(q.subject.tool)}`);
    lines.push(indent(terminalText(JSON.stringify(q.subject.input, null, 2), { lines: true })));
  }
  if (q.options !== null) q.options.forEach((o, i) => lines.push(`  [${i}] ${terminalText(o)}`));
  if (q.details !== null && q.details !== '') lines.push(style.dim(indent(terminalText(q.details, { lines: true }))));
  if (q.status !== 'open') lines.push(`  ${describeClosed(q)}`);
  return `${lines.join('\n')}\n`;
}

/** How a closed question ended, in one line. Pure. */
export function describeClosed(q: Pick<QuestionView, 'status' | 'answer' | 'answered_by' | 'answered_at'>): string {
  const a = q.answer;
  const what =
    a === null
      ? ''
      : a.decision !== undefined
        ? `${a.decision}${a.remember === true ? ' (for this session)' : ''}`
        : a.choice !== undefined
          ? `choice ${a.choice}${a.choice_text === undefined ? '' : `: ${terminalText(a.choice_text)}`}`
          : terminalText(a.text ?? '');
  const message = a?.message === undefined ? '' : ` — ${terminalText(a.message)}`;
  const by = q.answered_by === null ? '' : ` by ${terminalText(q.answered_by)}`;
  return `${q.status.replace('_', ' ')}${what === '' ? '' : `: ${what}`}${message}${by}`;
}
