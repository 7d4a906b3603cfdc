// The inbox's order of open questions (pure): most urgent first, then the soonest to expire, then the oldest.
import { describe, expect, it } from 'vitest';
import type { QuestionView } from '../../protocol/questions.js';
import { closedAnswer, inboxOrder } from '../../coordinator/console/pages/inbox-cards.js';

const q = (id: string, urgency: QuestionView['urgency'], created: number, timeout: number | null = null): QuestionView => ({
  question_id: id, session_id: 's', run_id: 'r', root_session_id: 's', kind: 'question', question: id, options: null, details: null, urgency,
  subject: null, wait: true, timeout_s: null, timeout_at: timeout === null ? null : new Date(timeout).toISOString(), on_timeout: null,
  status: 'open', answer: null, answered_by: null, answered_at: null, resume_run_id: null, created_at: new Date(created).toISOString(),
});

describe('inboxOrder', () => {
  it('puts high before normal before low; within one, the soonest timeout, then the longest waiting', () => {
    const list = [q('low-old', 'low', 1), q('normal-new', 'normal', 50), q('normal-old', 'normal', 10), q('high-new', 'high', 90),
      q('normal-expiring', 'normal', 60, 5_000), q('normal-expiring-first', 'normal', 70, 4_000), q('high-old', 'high', 20)];
    expect([...list].sort(inboxOrder).map((x) => x.question_id)).toEqual(
      ['high-old', 'high-new', 'normal-expiring-first', 'normal-expiring', 'normal-old', 'normal-new', 'low-old']);
  });
  it('breaks a tie by id, so the order is stable', () => {
    expect([q('b', 'normal', 5), q('a', 'normal', 5)].sort(inboxOrder).map((x) => x.question_id)).toEqual(['a', 'b']);
  });
});

describe('closedAnswer', () => {
  it('says the decision, choice or text, and the note', () => {
    const closed = (answer: QuestionView['answer']) => closedAnswer({ ...q('x', 'normal', 0), status: 'answered', answer });
    expect(closed({ decision: 'allow', remember: true, message: 'ok' })).toBe('allow (for this session) — ok');
    expect(closed({ decision: 'deny', remember: false })).toBe('deny');
    expect(closed({ choice: 1, choice_text: 'us' })).toBe('us');
    expect(closed({ text: 'hello' })).toBe('hello');
    expect(closed(null)).toBe('');
  });
});
