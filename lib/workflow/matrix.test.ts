import { describe, expect, it } from 'vitest';
import { MAX_MATRIX_INSTANCES } from '../../protocol/workflows.js';
import { expandJobMatrix, expandMatrix, MatrixProblem, taskKey } from './matrix.js';

describe('expandMatrix', () => {
  it('is the cartesian product in key order, the last axis fastest', () => {
    expect(expandMatrix({ os: ['linux', 'mac'], node: [20, 22] })).toEqual([
      { os: 'linux', node: 20 },
      { os: 'linux', node: 22 },
      { os: 'mac', node: 20 },
      { os: 'mac', node: 22 },
    ]);
  });

  it('removes what an exclude matches (partially given, object values compared deeply)', () => {
    expect(expandMatrix({ os: ['linux', 'mac'], node: [20, 22] }, [], [{ os: 'mac', node: 20 }])).toHaveLength(3);
    expect(expandMatrix({ os: ['linux', 'mac'], node: [20, 22] }, [], [{ os: 'mac' }])).toEqual([{ os: 'linux', node: 20 }, { os: 'linux', node: 22 }]);
    expect(expandMatrix({ cfg: [{ a: 1 }, { a: 2 }] }, [], [{ cfg: { a: 2 } }])).toEqual([{ cfg: { a: 1 } }]);
  });

  it('as GitHub Actions: an include extends the combinations it fits, else is added as its own', () => {
    // GitHub's documented example.
    const instances = expandMatrix(
      { fruit: ['apple', 'pear'], animal: ['cat', 'dog'] },
      [{ color: 'green' }, { color: 'pink', animal: 'cat' }, { fruit: 'apple', shape: 'circle' }, { fruit: 'banana' }, { fruit: 'banana', animal: 'cat' }],
    );
    expect(instances).toEqual([
      { fruit: 'apple', animal: 'cat', color: 'pink', shape: 'circle' },
      { fruit: 'apple', animal: 'dog', color: 'green', shape: 'circle' },
      { fruit: 'pear', animal: 'cat', color: 'pink' },
      { fruit: 'pear', animal: 'dog', color: 'green' },
      { fruit: 'banana' },
      { fruit: 'banana', animal: 'cat' },
    ]);
  });

  it('makes an include-only matrix of its entries', () => {
    expect(expandMatrix({}, [{ os: 'linux' }, { os: 'mac', arm: true }])).toEqual([{ os: 'linux' }, { os: 'mac', arm: true }]);
  });

  it('refuses non-list and empty axes, bad include/exclude, and too many instances, naming the place', () => {
    const problem = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        expect(error).toBeInstanceOf(MatrixProblem);
        return [(error as MatrixProblem).message, (error as MatrixProblem).path];
      }
      return null;
    };
    expect(problem(() => expandMatrix({ os: 'linux' }))).toEqual(['matrix axis "os" must be a list of values (it is string)', ['os']]);
    expect(problem(() => expandMatrix({ os: [] }))).toEqual(['matrix axis "os" is an empty list: the job would never run', ['os']]);
    expect(problem(() => expandMatrix({ os: ['a'] }, { os: 'b' }))).toEqual(['matrix include must be a list of objects', ['include']]);
    expect(problem(() => expandMatrix({ os: ['a'] }, [], [{ os: 'a' }, 'b']))).toEqual(['matrix exclude[1] must be an object of axis: value', ['exclude', 1]]);
    const big = Array.from({ length: 100 }, (_, i) => i);
    expect(problem(() => expandMatrix({ a: big, b: big }))).toEqual([`the matrix expands to more than ${MAX_MATRIX_INSTANCES} instances`, []]);
    expect(problem(() => expandMatrix({ a: big }, Array.from({ length: 20 }, (_, i) => ({ extra: i, a: -1 })), [], 110))).toEqual(['the matrix expands to more than 110 instances', []]);
    // A huge product is refused before it is built.
    const huge = Array.from({ length: 1_000 }, (_, i) => i);
    expect(problem(() => expandMatrix({ a: huge, b: huge, c: huge, d: huge }))).toEqual([`the matrix expands to more than ${MAX_MATRIX_INSTANCES} instances`, []]);
  });

  it(`expands exactly ${MAX_MATRIX_INSTANCES}`, () => {
    expect(expandMatrix({ a: Array.from({ length: 50 }, (_, i) => i), b: Array.from({ length: 100 }, (_, i) => i) })).toHaveLength(MAX_MATRIX_INSTANCES);
  });
});

describe('taskKey', () => {
  it('is the job id, with the instance index for a matrix', () => {
    expect(taskKey('build', null)).toBe('build');
    expect(taskKey('build', 0)).toBe('build[0]');
    expect(taskKey('build', 12)).toBe('build[12]');
  });
});

describe('expandJobMatrix', () => {
  const matrix = { axes: { file: '${{ fromJSON(jobs.plan.outputs.files) }}', tone: ['plain', '${{ inputs.tone }}'] }, include: [], exclude: [{ file: 'b.md', tone: 'lively' }], max_parallel: null, fail_fast: true };
  const context = { inputs: { tone: 'lively' }, jobs: { plan: { result: 'success', outputs: { files: '["a.md","b.md"]' } } } };

  it('evaluates expression axes when the job is ready, then expands', () => {
    expect(expandJobMatrix(matrix, context)).toEqual([
      { file: 'a.md', tone: 'plain' },
      { file: 'a.md', tone: 'lively' },
      { file: 'b.md', tone: 'plain' },
    ]);
  });

  it('refuses an expression that gives no list, and too many instances', () => {
    expect(() => expandJobMatrix(matrix, { ...context, jobs: { plan: { outputs: { files: '"one"' } } } })).toThrow('matrix axis "file" must be a list of values (it is string)');
    const many = JSON.stringify(Array.from({ length: 3_000 }, (_, i) => i));
    expect(() => expandJobMatrix(matrix, { ...context, jobs: { plan: { outputs: { files: many } } } })).toThrow(`more than ${MAX_MATRIX_INSTANCES} instances`);
  });
});
