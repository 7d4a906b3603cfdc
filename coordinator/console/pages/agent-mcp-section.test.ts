import { describe, expect, it } from 'vitest';
import { argumentsSkeleton } from './agent-mcp-section.js';

describe('argumentsSkeleton', () => {
  it('fills each property with its default, first enum value or an empty value of its type, required first', () => {
    const schema = {
      type: 'object',
      properties: {
        verbose: { type: 'boolean' },
        limit: { type: 'integer', default: 10 },
        mode: { type: 'string', enum: ['fast', 'slow'] },
        query: { type: 'string' },
        ids: { type: 'array' },
        filter: { type: 'object' },
        anything: {},
        nullable: { type: ['number', 'null'] },
      },
      required: ['query'],
    };
    expect(JSON.parse(argumentsSkeleton(schema))).toEqual({ query: '', verbose: false, limit: 10, mode: 'fast', ids: [], filter: {}, anything: null, nullable: 0 });
    expect(Object.keys(JSON.parse(argumentsSkeleton(schema)))[0]).toBe('query');
  });

  it('is {} for a schema without properties, or not a schema at all', () => {
    for (const schema of [undefined, null, 'x', [], { type: 'object' }, { type: 'object', properties: {} }, { properties: [] }]) expect(argumentsSkeleton(schema)).toBe('{}');
  });
});
