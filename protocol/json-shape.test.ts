import { describe, expect, it } from 'vitest';
import { findDeepNesting, findNul, NUL_REPLACEMENT, storableJson } from './json-shape.js';

const nest = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('findDeepNesting', () => {
  it('accepts nesting up to the limit and names where it is exceeded', () => {
    expect(findDeepNesting(`{"a":${nest(63)}}`, 64)).toBeUndefined();
    expect(findDeepNesting(`{"a":${nest(64)}}`, 64)).toEqual({ path: `a${'[0]'.repeat(63)}`, message: 'nested deeper than 64 levels of arrays and objects' });
  });

  it('follows keys and indexes, ignoring brackets and quotes inside strings', () => {
    const text = `{"x":"[[[\\"{{","list":[1,{"k,\\"ey":{"deep":${nest(3)}}}]}`;
    expect(findDeepNesting(text, 5)).toEqual({ path: 'list[1].k,"ey.deep[0]', message: 'nested deeper than 5 levels of arrays and objects' });
    expect(findDeepNesting(text, 7)).toBeUndefined();
  });

  it('walks 100,000 levels without recursion', () => {
    expect(findDeepNesting(nest(100_000), 64)?.path).toBe('[0]'.repeat(64));
  });
});

describe('findNul', () => {
  it('names the first string or key holding a NUL', () => {
    expect(findNul({ a: ['x', 'y\0'] })).toEqual({ path: 'a[1]', message: 'must not contain NUL (\\u0000)' });
    expect(findNul({ meta: { 'k\0': 1 } })).toEqual({ path: 'meta.k\0', message: 'the key must not contain NUL (\\u0000)' });
    expect(findNul({ a: 1, b: [true, null, 'ok'] })).toBeUndefined();
  });
});

describe('storableJson', () => {
  it('replaces NUL in strings and keys and cuts what is nested too deep', () => {
    const value = { text: 'a\0b', ['k\0']: [[['deep']]] };
    expect(storableJson(value, 3)).toEqual({ text: `a${NUL_REPLACEMENT}b`, [`k${NUL_REPLACEMENT}`]: [['[nested too deep; left out]']] });
  });
});
