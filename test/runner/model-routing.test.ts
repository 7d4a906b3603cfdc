// Model routing end to end with real processes: `agent-coordinator --routing FILE`, a runner, the
// report-model executor (which reports the agent_blueprint.model and .models it was given), `run --kind`
// and `sessions show`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useRunnerKit, waitForSession } from './runner-kit.js';

const RULES = `rules:
  - name: leaves
    match: { depth: { min: 1 } }
    model: leaf-model
  - name: reviews
    match: { kind: review }
    models: [review-a, review-b]
`;

describe('model routing through a runner', { timeout: 120_000 }, () => {
  const kit = useRunnerKit();

  it("the executor gets the chosen model and its fallbacks in agent_blueprint; run --kind picks by kind; sessions show names both", async () => {
    const routing = join(kit().dir, 'routing.yaml');
    writeFileSync(routing, RULES);
    mkdirSync(join(kit().dir, 'agents'), { recursive: true });
    writeFileSync(join(kit().dir, 'agents', 'worker.json'), JSON.stringify({ name: 'worker', executor: 'report-model', models: ['own-a', 'own-b'] }));
    const { url, api } = await kit().coordinator({ args: ['--routing', routing] });
    await kit().daemon(['-c', url, '-x', 'report-model']);

    const plain = await kit().cli(['run', '-c', url, '--agent', 'worker', '--json', 'plain']);
    expect(plain.code, plain.stderr).toBe(0);
    const plainId = JSON.parse(plain.stdout.trim().split('\n').at(-1)!).session_id as string;
    expect((await waitForSession(api, plainId, ['idle'])).result).toMatchObject({ result_data: { model: 'own-a', models: ['own-a', 'own-b'] } });

    const reviewed = await kit().cli(['run', '-c', url, '--agent', 'worker', '--kind', 'review', '--json', 'review it']);
    expect(reviewed.code, reviewed.stderr).toBe(0);
    const reviewId = JSON.parse(reviewed.stdout.trim().split('\n').at(-1)!).session_id as string;
    expect((await waitForSession(api, reviewId, ['idle'])).result).toMatchObject({ result_data: { model: 'review-a', models: ['review-a', 'review-b'] } });

    const child = await api('POST', '/v1/sessions', { agent: 'worker', prompt: 'leaf', parent_session_id: reviewId });
    expect((await waitForSession(api, child.body.session_id, ['idle'])).result).toMatchObject({ result_data: { model: 'leaf-model', models: ['leaf-model'] } });

    const show = await kit().cli(['sessions', 'show', '-c', url, reviewId]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/^model\s+review-a \(then review-b\)$/m);
    expect(show.stdout).toMatch(/^kind\s+review$/m);

    const bad = await kit().cli(['run', '-c', url, '--agent', 'worker', '--kind', 'two words', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--kind: "two words" must be a short token');
  });
});
