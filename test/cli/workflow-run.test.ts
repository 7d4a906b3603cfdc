// `agent-runner workflow run|list|runs|show|cancel|resume|graph` as a user types them, against a real
// coordinator and runner (and once with nothing running: the in-process default): live lines and JSON lines,
// exit codes that follow the outcome, the markdown report, the graph with states, bad files and inputs
// refused before anything starts, and agent text that cannot steer the terminal or break the report.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually } from '../coordinator/helpers.js';
import { useRunnerKit } from '../runner/runner-kit.js';

const ESC = '\u001b';

const FLOW = `name: flow
inputs:
  n: {type: number, default: 1}
jobs:
  plan:
    executor: scripted
    with: {result_data: {parts: 2}, result_text: "plan ${ESC}[31mRED${ESC}[0m | pipe <b>bold</b>"}
  build:
    needs: plan
    executor: scripted
    strategy: {matrix: {part: [a, b]}}
    prompt: "build \${{ matrix.part }} n=\${{ inputs.n }}"
  check:
    needs: build
    run: "echo checked"
`;

const FAILING = `name: failing
jobs:
  bad:
    executor: scripted
    with: {fail: true}
  after:
    needs: bad
    executor: scripted
`;

describe('agent-runner workflow (client commands)', { timeout: 120_000 }, () => {
  const kit = useRunnerKit();

  async function stack() {
    const dir = kit().tempDir();
    const workflows = join(dir, 'workflows');
    mkdirSync(workflows);
    writeFileSync(join(workflows, 'flow.yaml'), FLOW);
    const hold = join(dir, 'hold');
    writeFileSync(join(workflows, 'held.yaml'), `name: held\njobs:\n  wait:\n    executor: scripted\n    with: {wait_for: ${JSON.stringify(hold)}}\n  after:\n    needs: wait\n    executor: scripted\n`);
    const { url } = await kit().coordinator({ args: ['--workflows-dir', workflows] });
    await kit().daemon(['-c', url, '-x', 'scripted', '-x', 'shell', '-n', '4']);
    writeFileSync(join(dir, 'failing.yaml'), FAILING);
    return { url, dir, hold, cli: (args: string[]) => kit().cli([...args, '-c', url], { cwd: dir }) };
  }

  it('run follows a file to its end (a line per change, exit 0) and a failing one (exit 1); --json gives job lines and a last workflow line', async () => {
    const { cli } = await stack();
    const ok = await cli(['workflow', 'run', 'workflows/flow.yaml', '--input', 'n=3']);
    expect(ok.code, ok.stderr).toBe(0);
    const lines = ok.stdout.split('\n').filter((l) => l !== '');
    expect(lines[0]).toMatch(/^▶ workflow flow {2}run wfr_\w+ {2}root ses_\w+$/);
    expect(lines.some((l) => /^✔ plan +scripted +succeeded/.test(l))).toBe(true);
    expect(lines.some((l) => /^✔ build +scripted .*succeeded .*2\/2$/.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/^3\/3 done · \$0\.0000 · \S+ · succeeded$/);
    expect(ok.stdout).not.toContain(ESC);

    const bad = await cli(['workflow', 'run', 'failing.yaml', '--json']);
    expect(bad.code).toBe(1);
    const events = bad.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.at(-1)).toMatchObject({ type: 'workflow', status: 'failed' });
    expect(events.some((e) => e.type === 'job' && e.job === 'after' && e.status === 'skipped' && e.reason === 'bad failed')).toBe(true);
  });

  it('refuses a bad file (file:line:col) and bad inputs (exit 2) before anything starts', async () => {
    const { cli, dir } = await stack();
    writeFileSync(join(dir, 'cycle.yaml'), 'name: c\njobs:\n  a:\n    needs: b\n    executor: scripted\n  b:\n    needs: a\n    executor: scripted\n');
    const cycle = await cli(['workflow', 'run', 'cycle.yaml']);
    expect(cycle.code).toBe(2);
    expect(cycle.stderr).toMatch(/cycle\.yaml:4:\d+: jobs\.a\.needs: cycle/);
    const noEq = await cli(['workflow', 'run', 'flow', '--input', 'n']);
    expect(noEq.code).toBe(2);
    expect(noEq.stderr).toContain('--input: "n" must be NAME=VALUE');
    const typed = await cli(['workflow', 'run', 'flow', '--input', 'n=many']);
    expect(typed.code).toBe(2);
    expect(typed.stderr).toContain('--input n: "many" is not a number');
    const unknown = await cli(['workflow', 'run', 'flow', '--input', 'm=1']);
    expect(unknown.stderr).toMatch(/--input m: unknown input/);
    const missing = await cli(['workflow', 'run', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/workflow nope not found; known: flow, held/);
    expect((await cli(['workflow', 'runs', '--json'])).stdout).toContain('"workflow_runs": []');
  });

  it('detach, list, runs, show, the report (escaped), graph with states, cancel and resume', async () => {
    const { cli, hold } = await stack();
    const detached = await cli(['workflow', 'run', 'flow', '--detach']);
    expect(detached.code).toBe(0);
    const id = detached.stdout.trim();
    expect(id).toMatch(/^wfr_\w+$/);
    expect((await cli(['workflow', 'show', id, '--follow'])).code).toBe(0);

    const list = await cli(['workflow', 'list']);
    expect(list.stdout).toMatch(/^NAME +FORM +JOBS +INPUTS/);
    expect(list.stdout).toMatch(/flow +jobs +3 +n/);
    const runs = await cli(['workflow', 'runs', 'flow']);
    expect(runs.stdout).toContain(id);
    expect(runs.stdout).toMatch(/succeeded +3\/3 +cli/);

    const show = await cli(['workflow', 'show', id]);
    expect(show.code).toBe(0);
    expect(show.stdout).not.toContain(ESC);
    expect(show.stdout).toMatch(/✔ check +\$ echo checked/);
    const report = await cli(['workflow', 'show', id, '--report']);
    expect(report.stdout).toMatch(/^# /m);
    expect(report.stdout).toMatch(/[Cc]ritical path/);
    expect(report.stdout).not.toContain(ESC);
    expect(report.stdout).not.toContain('<b>');
    // The result text's pipe cannot split a table row.
    for (const row of report.stdout.split('\n').filter((l) => l.startsWith('| plan'))) expect(row).not.toMatch(/[^\\]\| pipe/);

    const graph = await cli(['workflow', 'graph', id]);
    expect(graph.stdout).toMatch(/^flowchart TD/);
    expect(graph.stdout).toMatch(/class .*succeeded/);

    const held = (await cli(['workflow', 'run', 'held', '--detach'])).stdout.trim();
    await eventually(async () => (await cli(['workflow', 'show', held, '--json'])).stdout.includes('"status": "running"') || null);
    const cancel = await cli(['workflow', 'cancel', held]);
    expect(cancel.code).toBe(0);
    expect((await cli(['workflow', 'show', held, '--follow'])).code).toBe(130);
    writeFileSync(hold, '');
    expect(existsSync(hold)).toBe(true);
    const resumed = await cli(['workflow', 'resume', held, '--follow']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const again = await cli(['workflow', 'resume', held]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('succeeded: nothing to re-run');
  });

  it('with no coordinator running, run starts one in-process with a runner and finishes the workflow', async () => {
    const dir = kit().tempDir();
    writeFileSync(join(dir, 'local.yaml'), 'name: local\njobs:\n  hello:\n    executor: test-executor\n    prompt: hi\n  shout:\n    needs: hello\n    run: "echo ${{ jobs.hello.outputs.result }}"\n');
    const state = kit().tempDir();
    const run = await kit().cli(['workflow', 'run', 'local.yaml'], { cwd: dir, env: { AGENT_RUNNER_STATE_DIR: state } });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/2\/2 done .* succeeded/);
  });
});
