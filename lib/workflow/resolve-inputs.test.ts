import { describe, expect, it } from 'vitest';
import type { WorkflowInputDef } from './model.js';
import { resolveInputs } from './resolve-inputs.js';

const input = (type: WorkflowInputDef['type'], extra: Partial<WorkflowInputDef> = {}): WorkflowInputDef => ({ type, description: null, required: false, options: null, ...extra });
const declared = {
  topic: input('string', { required: true }),
  count: input('number', { default: 4 }),
  strict: input('boolean'),
  env: input('choice', { options: ['staging', 'production'], default: 'staging' }),
  cfg: input('json'),
};

describe('resolveInputs', () => {
  it('fills defaults (null when none) and keeps given values of the right type', () => {
    expect(resolveInputs(declared, { topic: 'cats', cfg: { a: [1] } })).toEqual({ ok: true, inputs: { topic: 'cats', count: 4, strict: null, env: 'staging', cfg: { a: [1] } } });
  });

  it('names every problem: unknown, missing required, wrong type, not an option', () => {
    expect(resolveInputs(declared, { topc: 'x', count: '3', env: 'prod' })).toEqual({
      ok: false,
      issues: [
        { path: 'inputs.topc', message: 'unknown input (did you mean "topic"?) (declared: topic, count, strict, env, cfg)' },
        { path: 'inputs.topic', message: 'is required (string)' },
        { path: 'inputs.count', message: 'must be a number' },
        { path: 'inputs.env', message: 'must be one of "staging", "production"' },
      ],
    });
    expect(resolveInputs({}, { a: 1 })).toEqual({ ok: false, issues: [{ path: 'inputs.a', message: 'the workflow declares no inputs' }] });
  });

  it('reads --input k=v text as the declared type', () => {
    expect(resolveInputs(declared, { topic: 'cats', count: '3', strict: 'true', cfg: '{"a":1}', env: 'production' }, { fromText: true })).toEqual({
      ok: true,
      inputs: { topic: 'cats', count: 3, strict: true, env: 'production', cfg: { a: 1 } },
    });
    const bad = resolveInputs(declared, { topic: 'x', count: 'three', strict: 'yes', cfg: '{' }, { fromText: true });
    expect(bad.ok === false && bad.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'inputs.count: "three" is not a number',
      'inputs.strict: "yes" must be true or false',
      expect.stringMatching(/^inputs\.cfg: not JSON: /),
    ]);
  });
});
