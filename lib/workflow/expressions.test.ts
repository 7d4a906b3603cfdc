import { describe, expect, it } from 'vitest';
import {
  evaluateCondition,
  evaluateExpression,
  ExpressionProblem,
  interpolate,
  interpolateDeep,
  jobStatusView,
  MAX_EXPRESSION_CHARS,
  parseExpression,
  soleExpression,
  templateParts,
  type ExpressionContext,
} from './expressions.js';

const ctx: ExpressionContext = {
  inputs: { topic: 'cats', count: 3, strict: false, list: ['a', 'b'] },
  jobs: {
    plan: { result: 'success', outcome: 'success', outputs: { files: '["a.md","b.md"]', meta: { pages: 2 } } },
    lint: { result: 'failure', outcome: 'failure', outputs: {} },
  },
  matrix: { os: 'linux', node: 22 },
};
const ok = jobStatusView(['success', 'success'], false);
const failed = jobStatusView(['success', 'failure'], false);
const skipped = jobStatusView(['skipped'], false);
const cancelled = jobStatusView(['success'], true);

describe('parseExpression', () => {
  it('lists the contexts read with their literal keys, and the status functions called', () => {
    const parsed = parseExpression("jobs.plan.outputs['files'] && matrix.os == 'linux' || failure() || toJSON(jobs.*.result)");
    expect(parsed.ok && parsed.expression.references).toEqual([
      { context: 'jobs', keys: ['plan', 'outputs', 'files'] },
      { context: 'matrix', keys: ['os'] },
      { context: 'jobs', keys: [] },
    ]);
    expect(parsed.ok && parsed.expression.statusFunctions).toEqual(['failure']);
  });

  it('names what is wrong: syntax, unknown contexts (GitHub\'s needs), unknown functions, empty, too long, too deep', () => {
    const message = (src: string) => {
      const parsed = parseExpression(src);
      return parsed.ok ? 'ok' : parsed.message;
    };
    expect(message('inputs.a ==')).toBe("Unexpected end of expression: '=='");
    expect(message('needs.build.outputs.x')).toMatch(/^unknown context "needs" \(GitHub's needs\.ID is jobs\.ID here\)/);
    expect(message('env.HOME')).toMatch(/^unknown context "env"/);
    expect(message('eval(inputs.a)')).toBe('unknown function "eval"');
    expect(message('  ')).toBe('the expression is empty');
    expect(message(`'${'x'.repeat(MAX_EXPRESSION_CHARS)}'`)).toBe(`the expression is longer than ${MAX_EXPRESSION_CHARS} characters`);
    expect(message(`${'('.repeat(200)}1${')'.repeat(200)}`)).toMatch(/max expression depth/);
    expect(message(`${'!'.repeat(5_000)}true`)).toMatch(/max expression depth/);
    expect(message('inputs.a @ 2')).toMatch(/Unexpected symbol/);
  });
});

describe('templateParts and soleExpression', () => {
  it('splits text and expressions; }} inside a quoted string does not close one', () => {
    expect(templateParts("a ${{ 'x}}''y' }} b${{c}}")).toEqual({
      ok: true,
      parts: [
        { kind: 'text', text: 'a ' },
        { kind: 'expression', source: "'x}}''y'", offset: 2 },
        { kind: 'text', text: ' b' },
        { kind: 'expression', source: 'c', offset: 19 },
      ],
    });
    expect(templateParts('no expressions')).toEqual({ ok: true, parts: [{ kind: 'text', text: 'no expressions' }] });
    expect(templateParts('x ${{ a ')).toEqual({ ok: false, message: '"${{" at character 3 is never closed with "}}"', offset: 2 });
  });

  it('is linear on hostile strings', () => {
    expect(templateParts('${{'.repeat(100_000)).ok).toBe(false);
    expect(templateParts(`\${{ '${"'".repeat(100_001)}`).ok).toBe(false);
    expect(templateParts('${{a}}'.repeat(1_001)).ok).toBe(false);
  });

  it('knows a string that is exactly one expression', () => {
    expect(soleExpression(' ${{ inputs.a }} ')).toBe('inputs.a');
    expect(soleExpression('${{ a }}${{ b }}')).toBeNull();
    expect(soleExpression('x ${{ a }}')).toBeNull();
  });
});

describe('evaluateExpression', () => {
  it('reads inputs, jobs and matrix as plain JSON and gives plain JSON back', () => {
    expect(evaluateExpression('inputs.count', ctx)).toBe(3);
    expect(evaluateExpression('fromJSON(jobs.plan.outputs.files)', ctx)).toEqual(['a.md', 'b.md']);
    expect(evaluateExpression('jobs.plan.outputs.meta', ctx)).toEqual({ pages: 2 });
    expect(evaluateExpression("format('{0} on {1}', matrix.os, matrix.node)", ctx)).toBe('linux on 22');
    expect(evaluateExpression("contains(inputs.list, 'b') && !inputs.strict", ctx)).toBe(true);
    expect(evaluateExpression('jobs.nope.outputs.x', ctx)).toBeNull();
    expect(evaluateExpression('INPUTS.TOPIC', ctx)).toBe('cats');
    expect(evaluateExpression('jobs.*.result', ctx)).toEqual(['success', 'failure']);
  });

  it('throws an ExpressionProblem naming the expression, for bad syntax and bad JSON alike', () => {
    expect(() => evaluateExpression('inputs.', ctx)).toThrow(ExpressionProblem);
    expect(() => evaluateExpression("fromJSON('{not json')", ctx)).toThrow(/fromJSON\('\{not json'\)/);
  });
});

describe('evaluateCondition', () => {
  it('has GitHub\'s status functions for a job', () => {
    expect(evaluateCondition('success()', ctx, ok)).toBe(true);
    expect(evaluateCondition('success()', ctx, failed)).toBe(false);
    expect(evaluateCondition('success()', ctx, skipped)).toBe(false);
    expect(evaluateCondition('success()', ctx, cancelled)).toBe(false);
    expect(evaluateCondition('failure()', ctx, failed)).toBe(true);
    expect(evaluateCondition('failure()', ctx, ok)).toBe(false);
    expect(evaluateCondition('failure()', ctx, skipped)).toBe(false);
    expect(evaluateCondition('always()', ctx, failed)).toBe(true);
    expect(evaluateCondition('always()', ctx, cancelled)).toBe(true);
    expect(evaluateCondition('cancelled()', ctx, cancelled)).toBe(true);
    expect(evaluateCondition('cancelled()', ctx, ok)).toBe(false);
  });

  it('means success() && (condition) when the condition calls no status function; null means success()', () => {
    expect(evaluateCondition("jobs.lint.result == 'failure'", ctx, ok)).toBe(true);
    expect(evaluateCondition("jobs.lint.result == 'failure'", ctx, failed)).toBe(false);
    expect(evaluateCondition("always() && jobs.lint.result == 'failure'", ctx, failed)).toBe(true);
    expect(evaluateCondition(null, ctx, ok)).toBe(true);
    expect(evaluateCondition(null, ctx, failed)).toBe(false);
    expect(evaluateCondition(true, ctx, failed)).toBe(false);
    expect(evaluateCondition(false, ctx, ok)).toBe(false);
  });

  it('takes ${{ }} or not, and coerces to a boolean as GitHub does', () => {
    expect(evaluateCondition('${{ inputs.count > 2 }}', ctx, ok)).toBe(true);
    expect(evaluateCondition('inputs.topic', ctx, ok)).toBe(true);
    expect(evaluateCondition("''", ctx, ok)).toBe(false);
    expect(evaluateCondition('0', ctx, ok)).toBe(false);
    expect(evaluateCondition('inputs.missing', ctx, ok)).toBe(false);
  });
});

describe('interpolate', () => {
  it('gives the raw value for a string that is exactly one expression', () => {
    expect(interpolate('${{ inputs.count }}', ctx)).toBe(3);
    expect(interpolate('${{ fromJSON(jobs.plan.outputs.files) }}', ctx)).toEqual(['a.md', 'b.md']);
    expect(interpolate('plain text', ctx)).toBe('plain text');
  });

  it('renders each value into a longer string: objects as JSON, null as nothing', () => {
    expect(interpolate('${{ inputs.topic }} x${{ inputs.count }} ${{ jobs.plan.outputs.meta }} [${{ inputs.none }}] ${{ inputs.strict }}', ctx)).toBe('cats x3 {"pages":2} [] false');
  });

  it('interpolates deep inside with-objects, keys untouched', () => {
    expect(interpolateDeep({ '${{ k }}': ['${{ matrix.node }}', { os: 'on ${{ matrix.os }}' }], n: 1, b: null }, ctx)).toEqual({ '${{ k }}': [22, { os: 'on linux' }], n: 1, b: null });
  });

  it('never runs code: a hostile value is data', () => {
    const hostile = { inputs: { x: "'); process.exit(1); ('", y: '${{ inputs.x }}' } };
    expect(interpolate('${{ inputs.x }}', hostile)).toBe("'); process.exit(1); ('");
    // A value that looks like an expression is not evaluated again.
    expect(interpolate('${{ inputs.y }}', hostile)).toBe('${{ inputs.x }}');
    expect(() => interpolate('${{ constructor.constructor("return 1")() }}', ctx)).toThrow(ExpressionProblem);
  });
});
