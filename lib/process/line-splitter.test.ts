import { describe, expect, it } from 'vitest';
import { LineSplitter, type Line } from './line-splitter.js';

function split(chunks: Buffer[], max?: number): Line[] {
  const lines: Line[] = [];
  const splitter = new LineSplitter((l) => lines.push(l), max);
  for (const c of chunks) splitter.push(c);
  splitter.end();
  return lines;
}

describe('LineSplitter', () => {
  it('splits on LF across chunk boundaries and drops a trailing CR', () => {
    const lines = split([Buffer.from('ab'), Buffer.from('c\r\nde'), Buffer.from('f\n\ng')]);
    expect(lines.map((l) => l.text)).toEqual(['abc', 'def', '', 'g']);
  });

  it('decodes a multi-byte character split between chunks whole', () => {
    const euro = Buffer.from('€\n');
    expect(split([euro.subarray(0, 1), euro.subarray(1, 2), euro.subarray(2)]).map((l) => l.text)).toEqual(['€']);
  });

  it('turns invalid UTF-8 into U+FFFD', () => {
    expect(split([Buffer.from([0x61, 0xff, 0x62, 0x0a])])[0]?.text).toBe('a\ufffdb');
  });

  it('truncates a long line to the limit, marks it, reports its full size, and goes on with the next', () => {
    const lines = split([Buffer.from('x'.repeat(7)), Buffer.from('y'.repeat(5) + '\nok\n')], 4);
    expect(lines).toEqual([
      { text: 'xxxx', truncated: true, bytes: 12 },
      { text: 'ok', truncated: false, bytes: 2 },
    ]);
  });

  it('emits nothing at end when the output ended with a newline', () => {
    expect(split([Buffer.from('one\n')]).length).toBe(1);
    expect(split([]).length).toBe(0);
  });
});
