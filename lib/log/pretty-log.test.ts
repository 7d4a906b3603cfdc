import { describe, expect, it } from 'vitest';
import { formatLogLine, prettyDestination } from './pretty-log.js';
import { printableText, printableValue } from './printable-text.js';

const TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} /;
const line = (record: Record<string, unknown>) => JSON.stringify({ level: 30, time: Date.UTC(2026, 11, 1, 15, 42, 57, 123), pid: 7, hostname: 'h', name: 'agent-runner', ...record });
const plain = (record: Record<string, unknown>) => formatLogLine(line(record), { colour: false });
/** Nothing a terminal acts on: no control character at all but the final newline. */
const UNPRINTABLE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('formatLogLine (pretty logs)', () => {
  it('writes time, level, component, message and the key fields on one line; pino\'s own fields are left out', () => {
    const text = plain({ component: 'coordinator', msg: 'runner registered', runner: 'rnr_1', executors: ['sh-echo', 'test-executor'], tags: [], concurrency: 4, ok: true, gone: null });
    expect(text).toMatch(TIME);
    expect(text.replace(TIME, '')).toBe('INFO  [coordinator] runner registered runner=rnr_1 executors=[sh-echo,test-executor] tags=[] concurrency=4 ok=true gone=null\n');
    expect(text).not.toMatch(/pid|hostname|agent-runner/);
  });

  it('labels every pino level, and an unknown one by its number', () => {
    const labels = [10, 20, 30, 40, 50, 60, 35].map((level) => formatLogLine(line({ level, msg: 'm' }), { colour: false }).replace(TIME, '').split(' ')[0]);
    expect(labels).toEqual(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL', 'L35']);
  });

  it('quotes values with spaces, quotes, equals signs or backslashes; writes objects as JSON', () => {
    const text = plain({ msg: 'm', prompt: 'fix the build', eq: 'a=b', q: 'say "hi"', bs: 'C:\\x', empty: '', detail: { a: 1, b: 'x y' } });
    expect(text).toContain('prompt="fix the build" eq="a=b" q="say \\"hi\\"" bs="C:\\\\x" empty="" detail={"a":1,"b":"x y"}\n');
  });

  it('escapes control characters, escape sequences and bidi controls in the message, keys, values, component and stack', () => {
    const hostile = 'ok\x1b[2J\x1b]0;pwned\x07\r\n2026-01-01 00:00:00.000 INFO  forged\x9b31m\u202eevil\u2028\x00\x7f';
    const text = plain({
      component: hostile,
      msg: hostile,
      [hostile]: hostile,
      list: [hostile],
      nested: { [hostile]: hostile },
      err: { type: 'Error', message: hostile, stack: `Error: x\n    at ${hostile}\n    at y` },
    });
    const [first, ...rest] = text.slice(0, -1).split('\n');
    // One line of the record itself, then the stack's frames: no forged line, no control character.
    expect(rest).toHaveLength(2);
    expect(rest[1]).toBe('    at y');
    for (const l of [first!, ...rest]) expect(l).not.toMatch(UNPRINTABLE);
    expect(first).toContain('ok\\x1b[2J\\x1b]0;pwned\\x07\\r\\n2026-01-01 00:00:00.000 INFO  forged\\x9b31m\\u202eevil\\u2028\\x00\\x7f');
    expect(rest[0]).toBe('    at ok\\x1b[2J\\x1b]0;pwned\\x07\\r');
    expect(first).toContain('err="ok\\x1b');
  });

  it('keeps a line that is not a pino record, escaped', () => {
    expect(formatLogLine('not json \x1b[31m red\n', { colour: false })).toBe('not json \\x1b[31m red\n');
    expect(formatLogLine('[1,2]', { colour: false })).toBe('[1,2]\n');
    expect(formatLogLine('null', { colour: false })).toBe('null\n');
  });

  it('survives hostile record shapes: a non-string message, a missing time or level, an error that is a string', () => {
    const text = formatLogLine(JSON.stringify({ msg: { a: '\x1b' }, err: 'boom\nline' }), { colour: false });
    expect(text).toMatch(TIME);
    expect(text.replace(TIME, '')).toBe('INFO  {"a":"\\u001b"} err="boom\\nline"\n');
  });

  it('colours the level and dims the field names only when asked', () => {
    const text = formatLogLine(line({ level: 50, msg: 'failed', code: 1 }), { colour: true });
    expect(text).toContain('\x1b[31mERROR\x1b[0m');
    expect(text).toContain('\x1b[2mcode=\x1b[0m1');
    expect(plain({ level: 50, msg: 'failed' })).not.toContain('\x1b');
  });

  it('as a destination, formats each line of a chunk (pino writes one record a call, but may batch)', () => {
    const written: string[] = [];
    const destination = prettyDestination({ write: (t: string) => written.push(t) }, { colour: false });
    destination.write(`${line({ msg: 'one' })}\n${line({ msg: 'two' })}\n`);
    expect(written).toHaveLength(1);
    expect(written[0]!.split('\n').map((l) => l.replace(TIME, ''))).toEqual(['INFO  one', 'INFO  two', '']);
  });
});

describe('printableText / printableValue', () => {
  it('escapes every C0 and C1 control, DEL, and the line, paragraph and bidi controls; keeps other text', () => {
    for (let code = 0; code < 0xa0; code++) {
      if (code >= 0x20 && code < 0x7f) continue;
      expect(printableText(String.fromCharCode(code))).toMatch(/^\\(x[0-9a-f]{2}|[nrt])$/);
    }
    for (const ch of ['\u2028', '\u2029', '\u202a', '\u202e', '\u2066', '\u2069', '\u200e', '\u061c']) expect(printableText(ch)).toMatch(/^\\u[0-9a-f]{4}$/);
    expect(printableText('héllo wörld ✔ 日本')).toBe('héllo wörld ✔ 日本');
  });

  it('leaves a plain value bare and quotes anything else', () => {
    expect(printableValue('rnr_1')).toBe('rnr_1');
    expect(printableValue('/tmp/a b')).toBe('"/tmp/a b"');
    expect(printableValue('a\u202eb')).toBe('"a\\u202eb"');
    expect(printableValue('')).toBe('""');
  });
});
