import { describe, expect, it } from 'vitest';
import { formatDuration, parseAge, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['1.5s', 1_500],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['2m10s', 130_000],
    ['45', 45_000],
    [' 10s ', 10_000],
    ['168h', 604_800_000],
  ])('%s → %d ms', (text, expected) => {
    expect(parseDuration(text, '--timeout')).toBe(expected);
  });

  it.each([
    ['', '--timeout: "" is not a duration (use e.g. 500ms, 30s, 5m, 1h30m)'],
    ['soon', '--timeout: "soon" is not a duration (use e.g. 500ms, 30s, 5m, 1h30m)'],
    ['10 s', '--timeout: "10 s" is not a duration (use e.g. 500ms, 30s, 5m, 1h30m)'],
    ['5d', '--timeout: "5d" is not a duration (use e.g. 500ms, 30s, 5m, 1h30m)'],
    ['-5s', '--timeout: "-5s" is not a duration (use e.g. 500ms, 30s, 5m, 1h30m)'],
    ['0ms', '--timeout: "0ms" must be longer than 0'],
    ['169h', '--timeout: "169h" is longer than the most allowed, 7d (168h)'],
    ['2147484', '--timeout: "2147484" is longer than the most allowed, 7d (168h)'],
  ])('rejects %j naming the option', (text, message) => {
    expect(() => parseDuration(text, '--timeout')).toThrow(message);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [850, '850ms'],
    [1_000, '1.0s'],
    [4_249, '4.2s'],
    [59_999, '59.9s'],
    [65_000, '1m05s'],
    [600_000, '10m'],
    [3_600_000, '1h'],
    [7_380_000, '2h03m'],
    [-5, '0ms'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('parseAge', () => {
  it.each([
    ['0', 0],
    ['45', 45],
    ['30m', 1_800],
    ['12h', 43_200],
    ['7d', 604_800],
    ['2w', 1_209_600],
    ['1d12h', 129_600],
    [' 7d ', 604_800],
    ['36500d', 3_153_600_000],
  ])('%s → %d s', (text, expected) => {
    expect(parseAge(text, '--older-than')).toBe(expected);
  });

  it.each([
    ['', '--older-than: "" is not an age (use e.g. 30m, 12h, 7d, 2w)'],
    ['soon', '--older-than: "soon" is not an age'],
    ['7 d', '--older-than: "7 d" is not an age'],
    ['-7d', '--older-than: "-7d" is not an age'],
    ['1.5d', '--older-than: "1.5d" is not an age'],
    ['7y', '--older-than: "7y" is not an age'],
    ['36501d', '--older-than: "36501d" is longer than the most allowed, 36500d (100 years)'],
    ['99999999999999999999999', 'is longer than the most allowed'],
  ])('rejects %j naming the option', (text, message) => {
    expect(() => parseAge(text, '--older-than')).toThrow(message);
  });
});
