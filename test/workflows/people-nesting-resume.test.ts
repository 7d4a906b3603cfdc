// Gates (a person answers allow, deny or a choice), a nested workflow and its outputs, cancel (cleanup with
// always() still runs), resume (re-runs what failed and what needs it, reuses what succeeded), on both
// stores with a real runner.
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { WorkflowRunView } from '../../protocol/workflows.js';
import { eventually, STORE_KINDS } from '../coordinator/helpers.js';
import { useRunnerKit } from '../runner/runner-kit.js';
import { job, startWorkflowStack, type WorkflowStack } from './workflow-kit.js';

const GATED = `
name: gated
jobs:
  build:
    executor: scripted
    with: {result_data: {version: "1.2.3"}}
  approve:
    needs: build
    gate:
      question: "Ship \${{ jobs.build.outputs.version }}?"
      details: "built by the workflow"
  ship:
    needs: approve
    executor: scripted
    prompt: "ship (\${{ jobs.approve.outputs.decision }}: \${{ jobs.approve.outputs.message }})"
  rollback:
    needs: approve
    if: failure()
    executor: scripted
    prompt: "rollback: \${{ jobs.approve.result }}"
  pick:
    needs: approve
    if: always()
    gate: {question: "Which channel?", options: [stable, beta]}
  announce:
    needs: pick
    if: always() && jobs.pick.result == 'success'
    executor: scripted
    prompt: "announce on \${{ jobs.pick.outputs.answer }}"
`;

/** The open question of a workflow run's root session, once it is asked. */
async function openQuestion(stack: WorkflowStack, rootSessionId: string, text: RegExp) {
  return eventually(async () => {
    const res = await fetch(`${stack.url}/v1/questions?root=${rootSessionId}`);
    const body = (await res.json()) as { questions: { question_id: string; question: string; kind: string; status: string }[] };
    return body.questions.find((q) => q.status === 'open' && text.test(q.question));
  });
}

async function answer(stack: WorkflowStack, id: string, body: Record<string, unknown>) {
  const res = await fetch(`${stack.url}/v1/questions/${id}/answer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBe(200);
}

describe.each(STORE_KINDS)('people, nesting, cancel and resume on %s', { timeout: 120_000 }, (kind) => {
  const kit = useRunnerKit();

  it('a gate answered allow passes on its decision; a choice gate gives the option as its output', async () => {
    const stack = await startWorkflowStack(kit(), kind);
    await stack.addWorkflow('gated.yaml', GATED);
    const started = await stack.api.startWorkflowRun({ workflow: 'gated' });
    const q = await openQuestion(stack, started.root_session_id, /^Ship 1\.2\.3\?$/);
    expect(q.kind).toBe('approval');
    const waiting = await stack.api.getWorkflowRun(started.workflow_run_id);
    expect(job(waiting, 'approve').status).toBe('waiting');
    await answer(stack, q.question_id, { decision: 'allow', message: 'go', answered_by: 'ada' });
    const pick = await openQuestion(stack, started.root_session_id, /^Which channel\?$/);
    await answer(stack, pick.question_id, { choice: 1 });
    const view = await stack.follow(started.workflow_run_id);
    expect(view.status).toBe('succeeded');
    expect(job(view, 'approve').outputs).toMatchObject({ decision: 'allow', message: 'go', answered_by: 'ada' });
    expect(job(view, 'rollback').status).toBe('skipped');
    expect(job(view, 'pick').outputs).toMatchObject({ answer: 'beta', choice: 1 });
    const prompts = stack.calls().map((c) => c.prompt);
    expect(prompts).toContain('ship (allow: go)');
    expect(prompts).toContain('announce on beta');
  });

  it('a gate answered deny fails it: its dependants skip, the rollback runs', async () => {
    const stack = await startWorkflowStack(kit(), kind);
    await stack.addWorkflow('gated.yaml', GATED);
    const started = await stack.api.startWorkflowRun({ workflow: 'gated' });
    const q = await openQuestion(stack, started.root_session_id, /^Ship/);
    await answer(stack, q.question_id, { decision: 'deny', message: 'not today', answered_by: 'bob' });
    const pick = await openQuestion(stack, started.root_session_id, /^Which channel\?$/);
    await answer(stack, pick.question_id, { text: 'none' });
    const view = await stack.follow(started.workflow_run_id);
    expect(view.status).toBe('failed');
    expect(job(view, 'approve')).toMatchObject({ status: 'failed', reason: 'denied by bob: not today' });
    expect(job(view, 'ship')).toMatchObject({ status: 'skipped', reason: 'approve failed' });
    expect(job(view, 'rollback').status).toBe('succeeded');
    expect(stack.calls().map((c) => c.prompt)).toContain('rollback: failure');
  });

  it('a nested workflow runs under the parent, takes its inputs and gives its jobs\' outputs', async () => {
    const stack = await startWorkflowStack(kit(), kind);
    await stack.addWorkflow('inner.yaml', `
name: inner
inputs:
  n: {type: number, required: true}
jobs:
  twice:
    executor: scripted
    with: {result_data: {value: "\${{ inputs.n }}\${{ inputs.n }}"}}
`);
    await stack.addWorkflow('outer.yaml', `
name: outer
jobs:
  sub:
    workflow: inner
    with: {n: 21}
  use:
    needs: sub
    executor: scripted
    prompt: "got \${{ jobs.sub.outputs.twice.value }}"
`);
    const view = await stack.run({ workflow: 'outer' });
    expect(view.status).toBe('succeeded');
    const sub = job(view, 'sub');
    expect(sub.tasks[0]!.child_workflow_run_id).toMatch(/^wfr_/);
    expect(stack.calls().map((c) => c.prompt)).toContain('got 2121');
    const child = await stack.api.getWorkflowRun(sub.tasks[0]!.child_workflow_run_id!);
    expect(child).toMatchObject({ status: 'succeeded', parent_workflow_run_id: view.workflow_run_id, parent_job: 'sub', trigger: 'workflow', inputs: { n: 21 } });
    // The nested run's root is a child of the outer root: one tree.
    const childRoot = await stack.api.getSession(child.root_session_id);
    expect(childRoot.parent_session_id).toBe(view.root_session_id);
    expect(childRoot.root_session_id).toBe(view.root_session_id);
  });

  it('cancel stops the jobs in flight and still runs always() cleanup; resume re-runs what failed and reuses what succeeded', async () => {
    const stack = await startWorkflowStack(kit(), kind);
    const hold = join(stack.dir, 'hold');
    await stack.addWorkflow('long.yaml', `
name: long
jobs:
  first:
    executor: scripted
    with: {result_data: {token: abc}}
  hold:
    needs: first
    executor: scripted
    with: {wait_for: ${JSON.stringify(hold)}}
  next:
    needs: hold
    executor: scripted
    prompt: "next with \${{ jobs.first.outputs.token }}"
  cleanup:
    needs: hold
    if: cancelled()
    executor: scripted
    prompt: cleanup
`);
    const started = await stack.api.startWorkflowRun({ workflow: 'long' });
    // Its executor has started (it logs first thing).
    await eventually(async () => stack.calls().some((c) => c.workflow!.job === 'hold'));
    await stack.api.cancelWorkflowRun(started.workflow_run_id, 'test');
    const cancelled = await stack.follow(started.workflow_run_id);
    expect(cancelled.status).toBe('cancelled');
    expect(job(cancelled, 'hold').status).toBe('cancelled');
    expect(job(cancelled, 'next')).toMatchObject({ status: 'skipped', reason: 'the workflow was cancelled' });
    expect(job(cancelled, 'cleanup').status).toBe('succeeded');
    const again = await stack.api.cancelWorkflowRun(started.workflow_run_id).catch((e: Error) => e);
    expect((again as Error).message).toMatch(/already cancelled/);

    writeFileSync(hold, '');
    const resumed = await stack.api.resumeWorkflowRun(started.workflow_run_id);
    expect(resumed.attempt).toBe(2);
    const view: WorkflowRunView = await stack.follow(started.workflow_run_id);
    expect(view.status).toBe('succeeded');
    expect(view.attempt).toBe(2);
    expect(job(view, 'first').attempts).toBe(1);
    expect(job(view, 'next').status).toBe('succeeded');
    // cleanup was re-run too (it had run), and skipped now: the run is not cancelled.
    expect(job(view, 'cleanup').status).toBe('skipped');
    const byJob = (id: string) => stack.calls().filter((c) => c.workflow!.job === id).length;
    expect(byJob('first')).toBe(1);
    expect(byJob('hold')).toBe(2);
    expect(job(view, 'hold').tasks[0]!.session_id).not.toBe(job(cancelled, 'hold').tasks[0]!.session_id);
    expect(stack.calls().map((c) => c.prompt)).toContain('next with abc');
    const root = await stack.api.getSession(view.root_session_id);
    expect(root.status).toBe('idle');
  });
});
