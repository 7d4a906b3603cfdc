import { describe, expect, it } from 'vitest';
import { callbackMessage, MAX_CALLBACK_RESULT_CHARS } from './callback-message.js';

const base = { child_run_id: 'run_1', error: null };

describe('callbackMessage', () => {
  it('carries each child outcome in order, with its result or error', () => {
    const text = callbackMessage([
      { ...base, child_session_id: 'ses_a', status: 'succeeded', result: { result_text: 'A done' } },
      { ...base, child_session_id: 'ses_b', status: 'succeeded', result: { result_data: { n: 2 } } },
      { ...base, child_session_id: 'ses_c', status: 'failed', result: null, error: 'exit 1' },
    ]);
    expect(text).toMatch(/^3 child sessions you started in callback mode have ended/);
    expect(text).toContain('<agent-callbacks count="3">');
    expect(text.indexOf('ses_a')).toBeLessThan(text.indexOf('ses_b'));
    expect(text).toContain('A done');
    expect(text).toContain('"n": 2');
    expect(text).toMatch(/session="ses_c" run="run_1" status="failed">\n## Error\n\nexit 1/);
  });

  it('says when nothing was reported and cuts long results', () => {
    expect(callbackMessage([{ ...base, child_session_id: 'ses_a', status: 'cancelled', result: null }])).toContain('(no result reported)');
    const long = callbackMessage([{ ...base, child_session_id: 'ses_a', status: 'succeeded', result: { result_text: 'x'.repeat(MAX_CALLBACK_RESULT_CHARS + 5) } }]);
    expect(long).toContain('truncated: 5 more characters');
  });
});
