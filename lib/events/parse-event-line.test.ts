import { describe, expect, it } from 'vitest';
import { parseEventLine } from './parse-event-line.js';

const line = (text: string, truncated = false) => ({ text, truncated, bytes: Buffer.byteLength(text) });
const stdout = (text: string) => parseEventLine(line(text), 'stdout');

describe('parseEventLine', () => {
  it.each([
    ['{"type":"bind","executor_session_id":"abc"}', { type: 'bind', executor_session_id: 'abc' }],
    ['{"type":"message","role":"assistant","text":"hi"}', { type: 'message', role: 'assistant', text: 'hi' }],
    ['{"type":"tool_call","name":"Read","id":"t1","input":{"path":"a"}}', { type: 'tool_call', name: 'Read', id: 't1', input: { path: 'a' } }],
    ['{"type":"tool_result","id":"t1","output":"x","is_error":false}', { type: 'tool_result', id: 't1', output: 'x', is_error: false }],
    ['{"type":"progress","message":"half","percent":50}', { type: 'progress', message: 'half', percent: 50 }],
    ['{"type":"usage","input_tokens":1,"output_tokens":2,"cost_usd":0.1}', { type: 'usage', input_tokens: 1, output_tokens: 2, cost_usd: 0.1 }],
    ['{"type":"result","result_data":{"a":1},"is_error":false}', { type: 'result', result_data: { a: 1 }, is_error: false }],
    ['{"type":"log","level":"warn","message":"careful"}', { type: 'log', level: 'warn', message: 'careful' }],
    ['  {"type":"result","result_text":"","extra":true}', { type: 'result', result_text: '', extra: true }],
    ['{"type":"rate_limited","retry_at":"2026-12-02T21:20:00Z","scope":"credential","message":"usage limit reached"}', { type: 'rate_limited', retry_at: '2026-12-02T21:20:00Z', scope: 'credential', message: 'usage limit reached' }],
    ['{"type":"rate_limited","retry_at":"2026-12-02T21:20:00+01:00","scope":"model","model":"opus","message":""}', { type: 'rate_limited', retry_at: '2026-12-02T21:20:00+01:00', scope: 'model', model: 'opus', message: '' }],
    ['{"type":"rate_limited","scope":"credential","message":"no reset given"}', { type: 'rate_limited', scope: 'credential', message: 'no reset given' }],
  ])('accepts %s', (text, event) => {
    expect(stdout(text)).toEqual(event);
  });

  it.each([
    ['{"type":"message","role":"robot","text":"x"}', 'invalid message event: role: role must be "assistant", "user" or "system"'],
    ['{"type":"message","role":"assistant"}', 'invalid message event: text: is required (string)'],
    ['{"type":"bind","executor_session_id":""}', 'invalid bind event: executor_session_id: executor_session_id must not be empty'],
    ['{"type":"progress","message":"x","percent":101}', 'invalid progress event: percent: Too big: expected number to be <=100'],
    ['{"type":"usage","input_tokens":-1}', 'invalid usage event: input_tokens: Too small: expected number to be >=0'],
    ['{"type":"result","is_error":true}', 'invalid result event: result_text: a result needs result_text or result_data'],
    ['{"type":"rate_limited","retry_at":"tomorrow","scope":"credential","message":"x"}', 'invalid rate_limited event: retry_at: retry_at must be an ISO 8601 date-time such as "2026-12-02T21:20:00Z"'],
    ['{"type":"rate_limited","retry_at":1796220000,"scope":"credential","message":"x"}', 'invalid rate_limited event: retry_at: retry_at must be an ISO 8601 date-time such as "2026-12-02T21:20:00Z"'],
    ['{"type":"rate_limited","scope":"everything","message":"x"}', 'invalid rate_limited event: scope: scope must be "credential" or "model"'],
    ['{"type":"rate_limited","scope":"model","message":"x"}', 'invalid rate_limited event: model: a rate limit of scope "model" names its model'],
    ['{"type":"rate_limited","scope":"credential"}', 'invalid rate_limited event: message: is required (string)'],
    [`{"type":"rate_limited","scope":"credential","message":"${'x'.repeat(2001)}"}`, 'invalid rate_limited event: message: message must be at most 2000 characters'],
    ['{"type":"teleport"}', 'unknown event type "teleport" (known: bind, message, tool_call, tool_result, progress, usage, result, log, rate_limited)'],
    ['{"type":7}', 'unknown event type 7 (known: bind, message, tool_call, tool_result, progress, usage, result, log, rate_limited)'],
    ['{"kind":"message"}', 'JSON object without a "type" field'],
    ['{"type":"message", oops}', "invalid JSON: Expected double-quoted property name in JSON at position 19"],
  ])('turns %s into a log event that says why', (text, reason) => {
    expect(stdout(text)).toEqual({ type: 'log', message: text, stream: 'stdout', reason });
  });

  it('turns plain text into a log event without a reason, and ignores blank lines', () => {
    expect(stdout('compiling...')).toEqual({ type: 'log', message: 'compiling...', stream: 'stdout' });
    expect(stdout('[1,2]')).toEqual({ type: 'log', message: '[1,2]', stream: 'stdout' });
    expect(stdout('   ')).toBeUndefined();
  });

  it('treats every stderr line as a log line, even JSON', () => {
    expect(parseEventLine(line('{"type":"result","result_text":"x"}'), 'stderr')).toEqual({
      type: 'log',
      message: '{"type":"result","result_text":"x"}',
      stream: 'stderr',
    });
  });

  it('never parses a truncated line as an event', () => {
    const event = parseEventLine({ text: '{"type":"log","message":"a', truncated: true, bytes: 9_000_000 }, 'stdout');
    expect(event).toMatchObject({ type: 'log', truncated: true, reason: expect.stringMatching(/^line of 9000000 bytes truncated/) });
  });

  it('turns a line nested deeper than MAX_JSON_DEPTH into a log saying where and why', () => {
    const text = `{"type":"message","role":"assistant","text":"x","nested":${'['.repeat(6000)}${']'.repeat(6000)}}`;
    expect(stdout(text)).toEqual({
      type: 'log',
      stream: 'stdout',
      message: text,
      reason: `not an event: nested${'[0]'.repeat(63)} is nested deeper than 64 levels of arrays and objects (the limit is 64)`,
    });
  });
});
