// Claim latency: a run created → returned to a runner's waiting long-poll (target p50 ≤ 5 ms), on SQLite
// and PostgreSQL. The coordinator runs in its own process; the clock starts before the create request.
import { type StoreKind } from '../test/coordinator/helpers.js';
import { benchCoordinator, claimLatencies, fmt, percentile, postgresAvailable, registerRunner } from './coordinator-kit.js';

const SAMPLES = 300;
const WARMUP = 30;

async function measure(kind: StoreKind): Promise<void> {
  const c = await benchCoordinator(kind);
  try {
    const api = c.api();
    const runner = await registerRunner(api, ['bench']);
    const latencies = await claimLatencies(api, runner, { executor: 'bench', prompt: 'x' }, SAMPLES, WARMUP);
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
