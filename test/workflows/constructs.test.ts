// Every construct of a workflow, end to end on a real coordinator and runner with the scripted and shell
// executors, on SQLite and PostgreSQL: needs, outputs passed on, a matrix from an output, if with each
// status function (rollback on failure), continue-on-error, retries with backoff, a job's and the
// workflow's timeout, max-parallel and fail-fast, run steps, gates answered allow and deny, a nested
// workflow, cancel, and resume reusing what succeeded.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WorkflowRunView } from '../../protocol/workflows.js';
import { STORE_KINDS } from '../coordinator/helpers.js';
import { useRunnerKit } from '../runner/runner-kit.js';
import { job, startWorkflowStack } from './workflow-kit.js';

const FLOW = `
name: flow
inputs:
  who: {type: string, default: world}
jobs:
  plan:
    executor: scripted
    with: {result_data: {files: [a, b], greeting: "hi \${{ inputs.who }}"}}
  build:
    needs: plan
    executor: scripted
    prompt: "build \${{ matrix.file }} for \${{ jobs.plan.outputs.greeting }}"
    strategy: {matrix: {file: "\${{ jobs.plan.outputs.files }}"}}
    with: {result_data: {built: "\${{ matrix.file }}"}}
  flaky:
    needs: plan
    executor: scripted
    with: {fail: true}
    continue-on-error: true
  deploy:
    needs: [build, flaky]
    executor: scripted
    prompt: "deploy \${{ join(jobs.build.outputs.built, '+') }} (flaky: \${{ jobs.flaky.result }}/\${{ jobs.flaky.outcome }})"
    with: {fail: true}
  rollback:
    needs: deploy
    if: failure()
    executor: scripted
    prompt: "rollback after \${{ jobs.deploy.result }}"
  notify:
    needs: deploy
    if: always()
    executor: scripted
    prompt: notify
  after:
    needs: deploy
    executor: scripted
  never:
    needs: rollback
    if: cancelled()
    executor: scripted
`;

describe.each(STORE_KINDS)('workflow constructs on %s', { timeout: 120_000 }, (kind) => {
  const kit = useRunnerKit();

  it('needs, outputs and a matrix from them, continue-on-error, rollback with failure(), always(), a skip with its reason', async () => {
    const stack = await startWorkflowStack(kit(), kind);
    await stack.addWorkflow('flow.yaml', FLOW);
    const view = await stack.run({ workflow: 'flow', inputs: { who: 'ada' } });
    expect(view.status).toBe('failed');
    expect(view.error).toMatch(/^job deploy failed/);
    const status = Object.fromEntries(view.jobs.map((j) => [j.id, [j.status, j.result]]));
    expect(status).toEqual({
      plan: ['succeeded', 'success'],
      build: ['succeeded', 'success'],
      flaky: ['failed', 'success'],
      deploy: ['failed', 'failure'],
      rollback: ['succeeded', 'success'],
      notify: ['succeeded', 'success'],
      after: ['skipped', 'skipped'],
      never: ['skipped', 'skipped'],
    });
    expect(job(view, 'after').reason).toBe('deploy failed');
    expect(job(view, 'build').matrix).toEqual({ total: 2, done: 2, failed: 0 });
    expect(job(view, 'build').outputs).toMatchObject({ built: ['a', 'b'] });
    const prompts = stack.calls().map((c) => c.prompt);
    expect(prompts).toContain('build a for hi ada');
    expect(prompts).toContain('build b for hi ada');
    expect(prompts).toContain('deploy a+b (flaky: success/failure)');
    expect(prompts).toContain('rollback after failure');
    // Each job ran once (the matrix twice), each as a child of the workflow's root session.
    const counts = new Map<string, number>();
    for (const c of stack.calls()) counts.set(c.workflow!.job, (counts.get(c.workflow!.job) ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual({ plan: 1, build: 2, flaky: 1, deploy: 1, rollback: 1, notify: 1 });
    const tree = (await (await fetch(`${stack.url}/v1/sessions/${view.root_session_id}/tree`)).json()) as { root: { children: unknown[]; status: string }; quiet: boolean };
    expect(tree.root.children).toHaveLength(7);
    expect(tree.root.status).toBe('failed');
    expect(tree.quiet).toBe(true);
  });

  it('retries with backoff until an attempt succeeds; a job timeout fails it; the workflow timeout stops the rest', async () => {
    const stack = await startWorkflowStack(kit(), kind);
    const never = join(stack.dir, 'never-made');
    await stack.addWorkflow('retry.yaml', `
name: retry
jobs:
  shaky:
    executor: scripted
    with: {fail_attempts: 2, result_data: {ok: true}}
    retry: {max: 3, backoff: exponential, initial: 0.2s, max_delay: 1s}
  slow:
    executor: scripted
    with: {wait_for: ${JSON.stringify(never)}}
    timeout: 1s
`);
    const view = await stack.run({ workflow: 'retry' });
    expect(job(view, 'shaky')).toMatchObject({ status: 'succeeded', attempts: 3, outputs: { ok: true } });
    const sessions = job(view, 'shaky').tasks[0]!.session_ids;
    expect(sessions).toHaveLength(3);
    // Each retry waited its backoff (jitter fixed at its floor: half of 0.2 s, then of 0.4 s) before a runner could take it.
    const runs = await Promise.all(sessions.map(async (s) => (await stack.api.getSession(s)).last_run_id).map(async (r) => stack.api.getRun(await r)));
    const ended = async (s: string) => Date.parse((await stack.api.getSession(s)).ended_at!);
    expect(Date.parse(runs[1]!.available_at) - (await ended(sessions[0]!))).toBeGreaterThanOrEqual(100);
    expect(Date.parse(runs[2]!.available_at) - (await ended(sessions[1]!))).toBeGreaterThanOrEqual(200);
    expect(job(view, 'slow').status).toBe('failed');
    expect(job(view, 'slow').reason).toMatch(/tim/);

    await stack.addWorkflow('whole.yaml', `
name: whole
timeout: 1s
jobs:
  hold:
    executor: scripted
    with: {wait_for: ${JSON.stringify(never)}}
  later:
    needs: hold
    executor: scripted
  cleanup:
    needs: hold
    if: always()
    executor: scripted
    prompt: cleanup
`);
    const whole = await stack.run({ workflow: 'whole' });
    expect(whole.status).toBe('failed');
    expect(whole.error).toBe('the workflow timed out');
    expect(job(whole, 'hold').status).toBe('cancelled');
    expect(job(whole, 'later')).toMatchObject({ status: 'skipped', reason: 'the workflow timed out' });
    expect(job(whole, 'cleanup').status).toBe('succeeded');
  });

  it('max-parallel holds the matrix to two in flight; fail-fast cancels the siblings', async () => {
    const stack = await startWorkflowStack(kit(), kind);
    const gate = (i: number) => join(stack.dir, `go-${i}`);
    await stack.addWorkflow('fan.yaml', `
name: fan
jobs:
  fan:
    executor: scripted
    strategy:
      matrix: {i: [0, 1, 2, 3, 4, 5]}
      max-parallel: 2
    with: {wait_for: "${join(stack.dir, 'go-')}\${{ matrix.i }}", result_data: {i: "\${{ matrix.i }}"}}
`);
    const started = await stack.api.startWorkflowRun({ workflow: 'fan' });
    const ac = new AbortController();
    let most = 0;
    let last: WorkflowRunView | null = null;
    for await (const view of stack.api.followWorkflowRun(started.workflow_run_id, ac.signal, { tasks: true })) {
      last = view;
      const tasks = job(view, 'fan').tasks;
      const inFlight = tasks.filter((t) => ['queued', 'running'].includes(t.status));
      most = Math.max(most, inFlight.length);
      // Release each running instance as soon as it shows: the matrix advances one slot at a time.
      for (const t of tasks) if (t.status === 'running' && !existsSync(gate(Number(t.matrix!.i)))) writeFileSync(gate(Number(t.matrix!.i)), '');
    }
    expect(last!.status).toBe('succeeded');
    expect(most).toBe(2);
    expect(job(last!, 'fan').outputs).toMatchObject({ i: [0, 1, 2, 3, 4, 5] });

    await stack.addWorkflow('fast.yaml', `
name: fast
jobs:
  fan:
    executor: scripted
    strategy:
      matrix: {i: [0, 1, 2, 3]}
    with:
      fail: "\${{ matrix.i == 0 }}"
      wait_for: "${join(stack.dir, 'never-')}\${{ matrix.i }}"
`);
    // Instance 0 holds too (wait_for) until the others run, then fails: its siblings are cancelled in flight.
    const fast = await stack.api.startWorkflowRun({ workflow: 'fast' });
    const ac2 = new AbortController();
    let fastLast: WorkflowRunView | null = null;
    for await (const view of stack.api.followWorkflowRun(fast.workflow_run_id, ac2.signal, { tasks: true })) {
      fastLast = view;
      const tasks = job(view, 'fan').tasks;
      if (tasks.every((t) => t.status === 'running') && !existsSync(join(stack.dir, 'never-0'))) writeFileSync(join(stack.dir, 'never-0'), '');
    }
    expect(fastLast!.status).toBe('failed');
    const fan = job(fastLast!, 'fan');
    expect(fan.tasks.map((t) => t.status)).toEqual(['failed', 'cancelled', 'cancelled', 'cancelled']);
    expect(fan.tasks[1]!.error).toBe('cancelled: fan[0] failed (fail-fast)');
  });

  it("the workflow's budget is its tree's: a job past max_sessions is refused and fails, naming the limit", async () => {
    const stack = await startWorkflowStack(kit(), kind);
    await stack.addWorkflow('budgeted.yaml', `
name: budgeted
budget: {max_sessions: 3}
jobs:
  a: {executor: scripted}
  b: {executor: scripted, needs: a}
  c: {executor: scripted, needs: b}
`);
    const view = await stack.run({ workflow: 'budgeted' });
    expect(view.status).toBe('failed');
    expect(job(view, 'a').status).toBe('succeeded');
    expect(job(view, 'b').status).toBe('succeeded');
    expect(job(view, 'c').status).toBe('failed');
    expect(job(view, 'c').reason).toMatch(/max_sessions/);
    expect((await stack.api.getSession(view.root_session_id)).budget).toEqual({ max_sessions: 3 });
  });

  it('run steps: the exit code and stdout are outputs; a non-zero exit fails the job', async () => {
    const stack = await startWorkflowStack(kit(), kind);
    await stack.addWorkflow('sh.yaml', `
name: sh
inputs:
  n: {type: number, default: 3}
jobs:
  count:
    run: "for i in $(seq 1 \${{ inputs.n }}); do echo line $i; done"
  use:
    needs: count
    executor: scripted
    prompt: "got \${{ jobs.count.outputs.exit_code }}: \${{ jobs.count.outputs.result }}"
  broken:
    needs: count
    run: "echo about to fail; exit 7"
`);
    const view = await stack.run({ workflow: 'sh', inputs: { n: 2 } });
    expect(job(view, 'count')).toMatchObject({ status: 'succeeded', outputs: { exit_code: 0 } });
    expect(stack.calls().map((c) => c.prompt)).toContain('got 0: line 1\nline 2');
    expect(job(view, 'broken')).toMatchObject({ status: 'failed', outputs: { exit_code: 7 } });
    expect(view.status).toBe('failed');
  });
});
