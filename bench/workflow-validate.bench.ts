// Validation of a 500-job workflow file (issue 16, target ≤ 200 ms): a generated jobs-form file shaped like
// real ones (layers of 10 jobs, each needing two or three of the layer before, agents, run steps, gates,
// matrices, `${{ }}` in prompts, commands, `with` and `if`, declared outputs), validated in this process:
// the first validation (cold code: what one `workflow validate` pays), then warm ones (what the
// coordinator's folder reload pays). Also `agent-runner workflow validate FILE` end to end, as a process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readWorkflowFile } from '../lib/workflow/read-workflow-file.js';
import { validateWorkflow } from '../lib/workflow/validate-workflow.js';
import { BIN } from '../test/helpers/fixtures.js';
import { ms, percentile, report } from './lib/stats.js';

const JOBS = 500;
const WIDTH = 10;
const WARM_RUNS = 30;
const CLI_RUNS = 5;
const TARGET_MS = 200;

/** The generated file: job `jL_I` is job I of layer L. */
function generate(): string {
  const lines = ['name: bench-500', 'description: a generated 500-job workflow', 'inputs:', '  topic: {type: string, required: true}', '  strict: {type: boolean, default: false}', 'defaults:', '  timeout: 10m', '  retry: {max: 2, initial: 5s}', 'jobs:'];
  for (let n = 0; n < JOBS; n++) {
    const layer = Math.floor(n / WIDTH);
    const i = n % WIDTH;
    const id = `j${layer}_${i}`;
    const needs = layer === 0 ? [] : [`j${layer - 1}_${i}`, `j${layer - 1}_${(i + 1) % WIDTH}`, ...(i % 3 === 0 ? [`j${layer - 1}_${(i + 5) % WIDTH}`] : [])];
    lines.push(`  ${id}:`);
    if (needs.length > 0) lines.push(`    needs: [${needs.join(', ')}]`);
    const upstream = needs[0];
    switch (n % 5) {
      case 0:
        lines.push('    run: "make part-${{ inputs.topic }}"', '    outputs:', '      code: ${{ exit_code }}');
        break;
      case 1:
        lines.push('    agent: writer', '    strategy:', '      matrix:', '        part: [a, b, c]', '        tone: [plain, lively]', '      max-parallel: 3');
        lines.push('    prompt: "Write ${{ matrix.part }} in a ${{ matrix.tone }} tone about ${{ inputs.topic }}"');
        break;
      case 2:
        lines.push('    gate:', '      question: "Go on with ${{ inputs.topic }}?"', '      options: [yes, no]');
        break;
      default:
        lines.push('    agent: reviewer', '    executor: claude-code');
        lines.push(`    prompt: "Review ${upstream === undefined ? '${{ inputs.topic }}' : `\${{ jobs.${upstream}.outputs.summary }}`}"`);
        lines.push(`    with: {strict: "\${{ inputs.strict }}", ${upstream === undefined ? '' : `from: "\${{ jobs.${upstream}.result }}", `}n: ${n}}`);
        lines.push('    outputs:', '      summary: ${{ data.summary }}');
    }
    if (n % 7 === 6 && upstream !== undefined) lines.push(`    if: \${{ always() && jobs.${upstream}.result != 'cancelled' }}`);
  }
  return `${lines.join('\n')}\n`;
}

const text = generate();
const dir = mkdtempSync(join(tmpdir(), 'workflow-validate-bench-'));
try {
  const file = join(dir, 'bench-500.yaml');
  writeFileSync(file, text);
  report('file', `${JOBS} jobs, ${(text.length / 1024).toFixed(0)} KiB`);

  const timed = () => {
    const t0 = performance.now();
    const result = validateWorkflow(text, { file });
    const elapsed = performance.now() - t0;
    if (result.def === null) throw new Error(`the generated file is refused: ${JSON.stringify(result.issues.slice(0, 3))}`);
    return elapsed;
  };
  const first = timed();
  const warm = Array.from({ length: WARM_RUNS }, timed);
  report('validate 500 jobs, first (cold code)', ms(first), { ok: first <= TARGET_MS, text: `≤ ${TARGET_MS} ms` });
  report('validate 500 jobs, warm p50 / p99', `${ms(percentile(warm, 50))} / ${ms(percentile(warm, 99))}`, { ok: percentile(warm, 50) <= TARGET_MS, text: `≤ ${TARGET_MS} ms` });

  // The share of the YAML reading (the yaml package's parse and our checks of the text), to tell it from the validator's own work.
  const reads = Array.from({ length: WARM_RUNS }, () => {
    const t0 = performance.now();
    readWorkflowFile(text);
    return performance.now() - t0;
  });
  report('  of which reading the YAML, warm p50', ms(percentile(reads, 50)));

  const cli: number[] = [];
  for (let i = 0; i < CLI_RUNS; i++) {
    const t0 = performance.now();
    const run = spawnSync(BIN, ['workflow', 'validate', file], { env: { ...process.env, NO_COLOR: '1' }, encoding: 'utf8' });
    cli.push(performance.now() - t0);
    if (run.status !== 0) throw new Error(`workflow validate failed: ${run.stderr}`);
  }
  report('`workflow validate` process, p50 (spawn to exit)', ms(percentile(cli, 50)));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
