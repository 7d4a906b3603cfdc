// DESIGN.md's Appendix A: the two workflows of the seed's specification run verbatim, given agents of
// those names (each a blueprint on the scripted executor): every skill runs once, in the order its
// depends_on and parallel say, its action as the prompt and its params as metadata.inputs.
import { describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../coordinator/helpers.js';
import { useRunnerKit } from '../runner/runner-kit.js';
import { startWorkflowStack } from './workflow-kit.js';

const DEPLOY = `workflow:
  name: deploy-nixos-system
  steps:
    - skill: nixos-deployment
      action: generate_config
      params:
        packages: [vim, git, podman]

    - skill: health-monitoring
      action: check
      depends_on: [nixos-deployment]

    - skill: ai-service-management
      action: start
      params:
        service: all
      depends_on: [health-monitoring]
`;

const REVIEW = `workflow:
  name: code-review-pipeline
  steps:
    - skill: project-import
      action: import_github
      params:
        repo: user/repo

    - parallel:
        - skill: code-review
          action: review_changes

        - skill: webapp-testing
          action: run_tests

    - skill: internal-comms
      action: status_report
      depends_on: [code-review, webapp-testing]
`;

const SKILLS = ['nixos-deployment', 'health-monitoring', 'ai-service-management', 'project-import', 'code-review', 'webapp-testing', 'internal-comms'];

describe.each(STORE_KINDS)("the seed's workflow examples on %s", { timeout: 120_000 }, (kind) => {
  const kit = useRunnerKit();

  it('both run verbatim: each skill once, in dependency order, action as prompt, params as inputs', async () => {
    const stack = await startWorkflowStack(kit(), kind);
    for (const skill of SKILLS) await stack.addAgent(skill, { executor: 'scripted', description: `the ${skill} skill` });
    await stack.addWorkflow('deploy.yaml', DEPLOY);
    await stack.addWorkflow('review.yaml', REVIEW);

    const deploy = await stack.run({ workflow: 'deploy-nixos-system' });
    expect(deploy.status).toBe('succeeded');
    expect(deploy.jobs.map((j) => [j.id, j.needs, j.status])).toEqual([
      ['nixos-deployment', [], 'succeeded'],
      ['health-monitoring', ['nixos-deployment'], 'succeeded'],
      ['ai-service-management', ['health-monitoring'], 'succeeded'],
    ]);
    const deployCalls = stack.calls();
    expect(deployCalls.map((c) => [c.workflow!.job, c.prompt, c.inputs])).toEqual([
      ['nixos-deployment', 'generate_config', { packages: ['vim', 'git', 'podman'] }],
      ['health-monitoring', 'check', {}],
      ['ai-service-management', 'start', { service: 'all' }],
    ]);

    const review = await stack.run({ workflow: 'code-review-pipeline' });
    expect(review.status).toBe('succeeded');
    expect(Object.fromEntries(review.jobs.map((j) => [j.id, j.needs]))).toEqual({
      'project-import': [],
      'code-review': ['project-import'],
      'webapp-testing': ['project-import'],
      'internal-comms': ['code-review', 'webapp-testing'],
    });
    const calls = stack.calls().slice(deployCalls.length);
    const order = calls.map((c) => c.workflow!.job);
    expect(order[0]).toBe('project-import');
    expect(new Set(order.slice(1, 3))).toEqual(new Set(['code-review', 'webapp-testing']));
    expect(order[3]).toBe('internal-comms');
    expect(calls[0]).toMatchObject({ prompt: 'import_github', inputs: { repo: 'user/repo' } });
    // Each skill's session ran its agent (the blueprint named by the skill).
    for (const j of review.jobs) expect((await stack.api.getSession(j.tasks[0]!.session_id!)).agent).toBe(j.id);
  });
});
