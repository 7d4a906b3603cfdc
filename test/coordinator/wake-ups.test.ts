import { afterEach, describe, expect, it } from 'vitest';
import { eventually, pollRun, registerRunner, startTestCoordinator, STORE_KINDS } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe.each(STORE_KINDS)('wake-ups of parked long-polls (%s)', (kind) => {
  it('a new run wakes one parked poll that can serve it; the others stay parked, and a poll for another executor is never woken', async () => {
    // No sweep (it would offer runs too): only the create's own wake-up can answer the polls.
    const t = await startTestCoordinator(kind, { timings: { sweepIntervalMs: 3_600_000 } });
    const { api } = t;
    const metrics = async () => (await api('GET', '/metrics')).body as string;
    const runners = await Promise.all(Array.from({ length: 5 }, () => registerRunner(api, ['sh'])));
    const other = await registerRunner(api, ['python']);
    const answers: Array<{ runner: string; run: string | null }> = [];
    // The poll still parked at the end fails when the coordinator stops; an earlier failure shows as a missing answer.
    for (const runner of [...runners, other]) {
      pollRun(api, runner, 60_000).then(
        (got) => answers.push({ runner: runner.runner_id, run: got.run?.run_id ?? null }),
        () => undefined,
      );
    }
    cleanups.push(t.stop);
    await eventually(async () => (await metrics()).includes('agent_coordinator_polls_waiting 6'));

    const { run_id } = (await api('POST', '/v1/sessions', { executor: 'sh', prompt: 'one' })).body;
    await eventually(async () => answers.length === 1);
    expect(answers[0]!.run).toBe(run_id);
    expect(answers[0]!.runner).not.toBe(other.runner_id);
    expect(await metrics()).toContain('agent_coordinator_polls_waiting 5');
    expect(await metrics()).toContain('agent_coordinator_poll_wakeups_total 1'); // one poll woken, not five

    // Three more at once: three more polls answer, each with a run of its own.
    const more = await Promise.all([1, 2, 3].map(async (i) => (await api('POST', '/v1/sessions', { executor: 'sh', prompt: `more ${i}` })).body.run_id as string));
    await eventually(async () => answers.length === 4);
    expect(answers.slice(1).map((a) => a.run).sort()).toEqual([...more].sort());
    expect(await metrics()).toContain('agent_coordinator_polls_waiting 2');
    // Three polls woken, plus at most one hand-on per run whose poll's claim raced another's (a broadcast
    // would wake all 4 'sh' polls for each run: 12).
    const wakeups = async () => Number(/agent_coordinator_poll_wakeups_total (\d+)/.exec(await metrics())![1]);
    const afterBatch = await wakeups();
    expect(afterBatch).toBeGreaterThanOrEqual(1 + 3);
    expect(afterBatch).toBeLessThanOrEqual(1 + 3 * 2);

    // A run for the other executor wakes its poll only.
    const { run_id: pythonRun } = (await api('POST', '/v1/sessions', { executor: 'python', prompt: 'py' })).body;
    await eventually(async () => answers.length === 5);
    expect(answers[4]).toEqual({ runner: other.runner_id, run: pythonRun });
    expect(await metrics()).toContain('agent_coordinator_polls_waiting 1');
    expect(await wakeups()).toBe(afterBatch + 1);
  });

  it('a poll that goes away holding an offered run hands it to another parked poll', async () => {
    const t = await startTestCoordinator(kind, { timings: { sweepIntervalMs: 3_600_000 } });
    cleanups.push(t.stop);
    const { api } = t;
    const [first, second] = await Promise.all([registerRunner(api, ['sh']), registerRunner(api, ['sh'])]);
    const waiting = pollRun(api, first, 60_000);
    await eventually(async () => ((await api('GET', '/metrics')).body as string).includes('agent_coordinator_polls_waiting 1'));
    // The most recent poll is offered the next run: this one, which is aborted as the run comes.
    const aborted = new AbortController();
    const lost = fetch(`${t.url}/v1/runners/${second.runner_id}/next-run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${second.token}` },
      body: JSON.stringify({ timeout_ms: 60_000 }),
      signal: aborted.signal,
    }).catch(() => null);
    await eventually(async () => ((await api('GET', '/metrics')).body as string).includes('agent_coordinator_polls_waiting 2'));
    aborted.abort();
    await lost;
    const { run_id } = (await api('POST', '/v1/sessions', { executor: 'sh', prompt: 'x' })).body;
    // Whoever was offered it, the run reaches the poll still waiting (a released claim comes back too).
    expect((await waiting).run.run_id).toBe(run_id);
  });
});
