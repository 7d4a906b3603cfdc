import { describe, expect, it } from 'vitest';
import type { JobStatus } from '../../protocol/workflows.js';
import { escapeLabel, workflowMermaid } from './mermaid.js';
import { validateWorkflow } from './validate-workflow.js';

const compile = (text: string) => {
  const { def, issues } = validateWorkflow(text);
  expect(issues).toEqual([]);
  return def!;
};

describe('workflowMermaid', () => {
  const def = compile(`name: graph
jobs:
  plan: {agent: planner}
  write:
    needs: plan
    agent: writer
    executor: codex
    strategy: {matrix: {part: [1, 2]}}
  lint: {needs: write, run: npm run lint}
  review: {needs: lint, gate: Ship it?}
  cleanup: {needs: review, if: failure(), workflow: rollback}
`);

  it('draws one node per job with what it runs, an edge per need, conditions on dotted edges', () => {
    expect(workflowMermaid(def)).toBe(`flowchart TD
  j0["plan<br/>planner"]
  j1["write ×matrix<br/>writer on codex"]
  j2["lint<br/>$ npm run lint"]
  j3["review<br/>gate: Ship it?"]
  j4["cleanup<br/>workflow rollback"]
  j0 --> j1
  j1 --> j2
  j2 --> j3
  j3 -.->|"if failure()"| j4
`);
  });

  it('classes each job by its state, with a classDef for each state shown', () => {
    const states = new Map<string, JobStatus>([
      ['plan', 'succeeded'],
      ['write', 'succeeded'],
      ['lint', 'failed'],
      ['review', 'skipped'],
      ['cleanup', 'running'],
    ]);
    const text = workflowMermaid(def, states);
    expect(text).toContain('  classDef succeeded fill:#dafbe1');
    expect(text).toContain('  class j0,j1 succeeded\n');
    expect(text).toContain('  class j2 failed\n');
    expect(text).toContain('  class j3 skipped\n');
    expect(text).not.toContain('classDef pending');
  });

  it('cannot be broken out of by hostile labels: quotes, brackets, <, backticks, newlines, Mermaid keywords', () => {
    const hostile = compile(`workflow:
  name: hostile
  steps:
    - skill: 'end"] --> x["pwned'
      action: a
    - skill: "<script>alert(1)</script>"
    - skill: "\`\`\`\\nclassDef x fill:#f00;\\nclick j0 call evil()"
`);
    const text = workflowMermaid(hostile);
    const lines = text.trimEnd().split('\n');
    // Exactly: the header, three nodes, two edges; no line a label could have added.
    expect(lines).toHaveLength(6);
    for (const line of lines.slice(1, 4)) expect(line.replace('<br/>', ' ')).toMatch(/^ {2}j\d+\["[^"\n<>`[\]]*"\]$/);
    expect(text).not.toContain('<script');
    for (const line of lines) expect(line).toMatch(/^(flowchart TD|  j\d+\[| {2}j\d+ --> j\d+$)/);
    expect(text).toContain('end#34;#93; --#62; x#91;#34;pwned');
  });
});

describe('escapeLabel', () => {
  it('keeps plain text and encodes everything else as an entity', () => {
    expect(escapeLabel('build-2 (linux): ok?')).toBe('build-2 (linux): ok?');
    expect(escapeLabel('a"b[c]<d>`e#f;g|h{i}\\j&')).toBe('a#34;b#91;c#93;#60;d#62;#96;e#35;f#59;g#124;h#123;i#125;#92;j#38;');
    expect(escapeLabel('line1\nline2')).toBe('line1 line2');
    expect(escapeLabel('日本 🚀')).toBe('#26085;#26412; #128640;');
  });
});
