import { describe, expect, it } from 'vitest';
import { readRoutingFile } from './read-routing-file.js';

const problems = (text: string) => {
  const read = readRoutingFile('routing.yaml', text);
  if (read.ok) throw new Error('read');
  return read.problems;
};

describe('readRoutingFile', () => {
  it('reads rules in order, YAML or JSON', () => {
    const yaml = readRoutingFile('r.yaml', 'rules:\n  - name: leaves\n    match: { depth: { min: 1 } }\n    model: small\n  - models: [a, b]\n');
    expect(yaml.ok && yaml.rules.map((r) => r.rule)).toEqual([{ name: 'leaves', match: { depth: { min: 1 } }, model: 'small' }, { models: ['a', 'b'] }]);
    const json = readRoutingFile('r.json', '{"rules": []}');
    expect(json.ok && json.rules).toEqual([]);
  });

  it('names the file, line, column, field and reason of every problem, in file order', () => {
    const text = [
      'rules:', //                                   1
      '  - name: bad', //                            2
      '    match:', //                               3
      '      depth: { min: 3, max: 1 }', //          4
      '      budget_left: { below: 1.5 }', //        5
      '      agnt: x', //                            6
      '    model: a', //                             7
      '    models: [b, b]', //                       8
      '  - match: { kind: "not a token" }', //       9
    ].join('\n');
    expect(problems(text)).toEqual([
      'routing.yaml:4:7: rules[0].match.depth: depth.min must not be more than depth.max',
      'routing.yaml:5:22: rules[0].match.budget_left.below: budget_left.below must be between 0 and 1',
      'routing.yaml:6:7: rules[0].match.agnt: unknown field (did you mean "agent"?)',
      'routing.yaml:8:5: rules[0].models: models must not name a model twice',
      'routing.yaml:8:5: rules[0].models: give model or models, not both',
      'routing.yaml:9:5: rules[1].model: a rule must give model or models',
      'routing.yaml:9:14: rules[1].match.kind: kind must be a short token: letters, digits, ".", "_", "-" or ":" (at most 64), starting with a letter or digit',
    ]);
  });

  it.each([
    ['not YAML', 'rules: [\n', /^routing\.yaml:2:1: \(file\): not valid YAML/],
    ['a list', '- model: a\n', /^routing\.yaml:1:1: \(file\): the file must hold an object \(with rules\), not a list$/],
    ['a misspelt rules', 'rule: []\n', /^routing\.yaml:1:1: rules: is required \(array\)\nrouting\.yaml:1:1: rule: unknown field \(did you mean "rules"\?\)$/],
    ['rules not a list', 'rules: {}\n', /^routing\.yaml:1:1: rules: /],
    ['a model with a space', 'rules:\n  - model: "big model"\n', /^routing\.yaml:2:5: rules\[0\]\.model: model must be a model name/],
    ['an empty models list', 'rules:\n  - models: []\n', /^routing\.yaml:2:5: rules\[0\]\.models: models must name at least one model$/],
    ['a duplicate key', 'rules:\n  - model: a\n    model: b\n', /^routing\.yaml:3:5: \(file\): duplicate key: "model"/],
    ['an agent glob with a slash', 'rules:\n  - match: { agent: "../x" }\n    model: a\n', /rules\[0\]\.match\.agent: agent must be an agent name or a glob/],
    ['a depth below 0', 'rules:\n  - match: { depth: { min: -1 } }\n    model: a\n', /rules\[0\]\.match\.depth\.min: depth\.min must be 0 or more/],
    ['budget_left with neither bound', 'rules:\n  - match: { budget_left: {} }\n    model: a\n', /rules\[0\]\.match\.budget_left: budget_left needs below or at_least/],
    ['a NUL in a model', 'rules:\n  - model: "a\\0b"\n', /NUL|model must be a model name/],
  ])('refuses %s', (_what, text, message) => {
    const found = problems(text);
    expect(found.length).toBeGreaterThan(0);
    expect(found.join('\n')).toMatch(message);
  });

  it('refuses hostile files plainly: an alias bomb, deep nesting, a huge file, too many rules', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]', 'rules: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]'].join('\n');
    expect(problems(bomb).join('\n')).toMatch(/aliases expand to more than 100 nodes/);
    expect(problems(`rules: ${'['.repeat(200)}${']'.repeat(200)}\n`).join('\n')).toMatch(/nested (too deep|deeper)/);
    expect(problems(`rules: []\n#${'x'.repeat(6 * 1024 * 1024)}\n`)).toEqual([`routing.yaml: (file): the file is larger than ${5 * 1024 * 1024} bytes`]);
    const many = `rules:\n${'  - model: a\n'.repeat(1001)}`;
    expect(problems(many)).toEqual(['routing.yaml:1:1: rules: rules: at most 1000 rules']);
  });
});
