import type { QuestionRecord } from '../types.js';

/** What the agent is told a question's answer is, in words. Pure. */
export function describeAnswer(q: Pick<QuestionRecord, 'kind' | 'status' | 'answer' | 'timeout_s' | 'answered_by' | 'options'>): string {
  const a = q.answer ?? {};
  if (q.status === 'cancelled') return 'The question was cancelled; no answer will come.';
  const lines: string[] = [];
  if (q.status === 'timed_out') lines.push(`No answer within ${q.timeout_s ?? 0} s.`);
  if (q.kind === 'approval') {
    if (a.decision !== undefined) lines.push(a.decision === 'allow' ? 'Decision: allow.' : 'Decision: deny.');
    if (a.remember === true) lines.push('Allowed for the rest of this session.');
  } else if (a.choice !== undefined) {
    lines.push(`Choice ${a.choice}: ${a.choice_text ?? q.options?.[a.choice] ?? ''}`);
  }
  if (a.text !== undefined && q.status !== 'timed_out') lines.push(`Answer: ${a.text}`);
  if (a.message !== undefined) lines.push(`Message: ${a.message}`);
  if (q.answered_by !== null && q.status === 'answered') lines.push(`(answered by ${q.answered_by})`);
  return lines.join('\n');
}

/**
 * The prompt that resumes a session with the answers to questions it asked without waiting (`wait: false`)
 * or whose asking run ended before the answer came, oldest first. Pure.
 */
export function answersMessage(answers: readonly QuestionRecord[]): string {
  const sections = answers.map(
    (q) => `<answer question_id="${q.id}" kind="${q.kind}" status="${q.status}">\nYou asked: ${q.question}\n\n${describeAnswer(q)}\n</answer>`,
  );
  const what = answers.length === 1 ? 'A question you asked has been answered' : `${answers.length} questions you asked have been answered`;
  return `${what}:\n\n<answers count="${answers.length}">\n${sections.join('\n')}\n</answers>\n\nContinue your work with these answers.`;
}
