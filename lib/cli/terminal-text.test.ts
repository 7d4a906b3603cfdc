import { describe, expect, it } from 'vitest';
import { terminalText } from './terminal-text.js';

describe('terminalText', () => {
  it.each([
    ['clear screen and home', 'a\x1b[2J\x1b[Hb', 'ab'],
    ['colour', '\x1b[32m✔ succeeded\x1b[0m', '✔ succeeded'],
    ['window title by OSC with BEL', 'x\x1b]0;pwned\x07y', 'xy'],
    ['hyperlink OSC ended by ST', '\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\', 'link'],
    ['8-bit CSI and OSC', 'a\x9b2Jb\x9d0;t\x9cc', 'abc'],
    ['DCS string', 'a\x1bPq#0;2;0;0;0\x1b\\b', 'ab'],
    ['reset and charset', '\x1bc\x1b(Bok', 'ok'],
    ['a lone ESC at the end', 'ok\x1b', 'ok'],
    ['carriage return, backspace, bell, DEL, NUL', 'a\rb\bc\x07d\x7fe\x00', 'a\\x0db\\x08c\\x07d\\x7fe\\x00'],
    ['a lone C1 control', 'a\x85b', 'a\\x85b'],
    ['unicode text', 'héllo ✔ 日本', 'héllo ✔ 日本'],
  ])('%s', (_what, input, expected) => {
    expect(terminalText(input, { lines: true })).toBe(expected);
  });

  it('keeps newlines and tabs only for multi-line text', () => {
    expect(terminalText('a\n\tb', { lines: true })).toBe('a\n\tb');
    expect(terminalText('a\n\tb')).toBe('a\\x0a b');
  });
});
