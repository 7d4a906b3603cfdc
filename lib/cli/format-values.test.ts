import { describe, expect, it } from 'vitest';
import { formatAge, formatCost, formatDuration, formatTime, formatUsage, renderTable } from './format-values.js';
import type { Style } from './style.js';

const plain: Style = { bold: (t) => t, dim: (t) => t, red: (t) => t, green: (t) => t, yellow: (t) => t, cyan: (t) => t };

describe('format-values', () => {
  it.each([
    [0, '0ms'],
    [850, '850ms'],
    [4_230, '4.2s'],
    [59_999, '59.9s'],
    [192_000, '3m12s'],
    [7_500_000, '2h05m'],
    [273_600_000, '3d04h'],
    [-1, '-'],
    [Number.NaN, '-'],
  ])('formatDuration(%d) = %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('shows times in local time, one format, and what is not a time as it is', () => {
    const iso = '2026-03-04T05:06:07.890Z';
    const t = new Date(iso);
    const pad = (n: number) => String(n).padStart(2, '0');
    expect(formatTime(iso)).toBe(`${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())} ${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())}`);
    expect(formatTime(null)).toBe('-');
    expect(formatTime('yesterday')).toBe('yesterday');
    expect(formatAge('2026-03-04T05:06:00.000Z', Date.parse('2026-03-04T05:06:07.000Z'))).toBe('7.0s ago');
    expect(formatAge(undefined)).toBe('-');
  });

  it('formats usage and cost, and ignores fields of the wrong type', () => {
    expect(formatCost({ cost_usd: 0.01234 })).toBe('$0.0123');
    expect(formatCost({ cost_usd: '1' })).toBe('-');
    expect(formatCost(null)).toBe('-');
    expect(formatUsage({ input_tokens: 1200, output_tokens: 350, cache_read_input_tokens: 800, cost_usd: 0.5, model: 'sonnet' })).toBe(
      '1200 in / 350 out tokens (800 cache read), $0.5000, model sonnet',
    );
    expect(formatUsage({ output_tokens: 3 })).toBe('0 in / 3 out tokens');
    expect(formatUsage({ cache_creation_input_tokens: 9 })).toBe('0 in / 0 out tokens (9 cache write)');
    expect(formatUsage({ input_tokens: 'lots', note: 'x' })).toBe('{"input_tokens":"lots","note":"x"}');
    expect(formatUsage(null)).toBe('-');
  });

  it('pads columns to the widest cell, cuts the last one to the terminal and paints after padding', () => {
    const rows = [
      ['a', 'long value', 'the rest of the line'],
      ['bbb', 'x', 'short'],
    ];
    expect(renderTable(['H1', 'H2', 'LAST'], rows, plain)).toBe('H1   H2          LAST\na    long value  the rest of the line\nbbb  x           short\n');
    const cut = renderTable(['H1', 'H2', 'LAST'], rows, plain, { columns: 27, minLast: 5 });
    // 27 columns, 17 taken by the first two, one kept free (a full line wraps on some terminals): 9 left.
    expect(cut.split('\n')[1]).toBe('a    long value  the rest…');
    const painted = renderTable(['H1', 'H2', 'LAST'], rows, plain, { paint: (row, column, text) => (column === 0 ? `<${row}:${text}>` : text) });
    expect(painted.split('\n')[2]).toBe('<1:bbb>  x           short');
  });
});

describe('formatCount', () => {
  it('separates thousands with commas, without Intl', async () => {
    const { formatCount } = await import('./format-values.js');
    expect([0, 7, 999, 1000, 12345, 1234567, -4321, 10.6].map(formatCount)).toEqual(['0', '7', '999', '1,000', '12,345', '1,234,567', '-4,321', '11']);
    expect(formatCount(Number.NaN)).toBe('NaN');
  });
});
