// Claim latency: a run created → returned to a runner's waiting long-poll (target p50 ≤ 5 ms), on SQLite
// and PostgreSQL. The coordinator runs in its own process; the clock starts before the create request.
import { type StoreKind } from '../test/coordinator/helpers.js';
import { benchCoordinator, fmt, percentile, pollRun, postgresAvailable, registerRunner } from './coordinator-kit.js';

const SAMPLES = 300;
const WARMUP = 30;

async function measure(kind: StoreKind): Promise<void> {
  const c = await benchCoordinator(kind);
  try {
    const api = c.api();
    const runner = await registerRunner(api, ['bench']);
    const latencies: number[] = [];
    for (let i = 0; i < WARMUP + SAMPLES; i++) {
      const poll = pollRun(api, runner, 10_000);
      // Let the poll park (its first claim attempt finds nothing) before creating the run.
      for (;;) {
        const metrics = (await api('GET', '/metrics')).body as string;
        if (metrics.includes('agent_coordinator_polls_waiting 1')) break;
      }
      const t0 = performance.now();
      const created = api('POST', '/v1/sessions', { executor: 'bench', prompt: 'x' });
      const got = await poll;
      const t1 = performance.now();
      await created;
      if (got.run === null) throw new Error('poll returned no run');
      if (i >= WARMUP) latencies.push(t1 - t0);
    }
    console.log(
      `claim latency (${kind}): p50 ${fmt(percentile(latencies, 50))} ms, p90 ${fmt(percentile(latencies, 90))} ms, ` +
        `p99 ${fmt(percentile(latencies, 99))} ms, max ${fmt(Math.max(...latencies))} ms over ${SAMPLES} runs (target p50 ≤ 5 ms)`,
    );
  } finally {
    await c.stop();
  }
}

await measure('sqlite');
if (await postgresAvailable()) await measure('postgres');
else console.log('claim latency (postgres): skipped, no PostgreSQL at the test URL');
