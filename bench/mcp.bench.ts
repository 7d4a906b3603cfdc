// The MCP endpoint: get_agent_session round trip on loopback (target p50 ≤ 2 ms), 100 concurrent MCP
// clients, and start-to-result latency of a sync child on test-executor. The runner (with its embedded
// coordinator) runs as `bin/agent-runner` in its own process; the clients run here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserApi } from '../lib/client/user-api.js';
import { projectStateDir } from '../lib/state/state-dir.js';
import { freePort, tempDir } from '../test/helpers/fixtures.js';
import { connectMcp as connect, startEmbeddedRunner } from './lib/mcp-client.js';
import { mean, ms, percentile, report } from './lib/stats.js';

const ROUND_TRIPS = 2_000;
const WARMUP = 200;
const CLIENTS = 100;
const CALLS_PER_CLIENT = 20;
const SYNC_CHILDREN = 50;



async function timed<T>(fn: () => Promise<T>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

// The SDK client hands one long-lived AbortSignal to every fetch, and Node's fetch leaves a listener on it
// per request until garbage collection; its MaxListeners warning is about the client, not the endpoint.
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (w.name !== 'MaxListenersExceededWarning') console.warn(w);
});

const { dir, cleanup } = tempDir('mcp-bench-');
const localPort = await freePort();
const { child, mcpUrl } = await startEmbeddedRunner(dir, localPort);
// If this process dies early (an exception, a closed stdout), do not leave the runner behind.
process.on('exit', () => child.kill('SIGKILL'));
const user = new UserApi(`http://127.0.0.1:${localPort}`);
try {
  const secret = readFileSync(join(projectStateDir(dir), 'mcp-secret'), 'utf8').trim();
  // A caller with work to do (its run stays queued: no runner serves that executor), so its token is valid.
  const { session_id: caller } = await user.createSession({ executor: 'bench-caller-never-served', prompt: 'bench caller' });
  const client = await connect(mcpUrl, caller, secret);
  const get = () => client.callTool({ name: 'get_agent_session', arguments: { session_id: caller } });

  // Baseline: the coordinator call get_agent_session makes, straight from here.
  const direct: number[] = [];
  for (let i = 0; i < WARMUP + ROUND_TRIPS; i++) {
    const t = await timed(() => user.getSession(caller));
    if (i >= WARMUP) direct.push(t);
  }
  report('baseline: coordinator GET session p50 / p99', `${ms(percentile(direct, 50))} / ${ms(percentile(direct, 99))}`);

  const pings: number[] = [];
  for (let i = 0; i < WARMUP + ROUND_TRIPS; i++) {
    const t = await timed(() => client.ping());
    if (i >= WARMUP) pings.push(t);
  }
  report('baseline: MCP ping (no coordinator call) p50 / p99', `${ms(percentile(pings, 50))} / ${ms(percentile(pings, 99))}`);

  const samples: number[] = [];
  for (let i = 0; i < WARMUP + ROUND_TRIPS; i++) {
    const t = await timed(get);
    if (i >= WARMUP) samples.push(t);
  }
  const p50 = percentile(samples, 50);
  report('get_agent_session round trip p50', ms(p50), { ok: p50 <= 2, text: '≤ 2 ms' });
  report('get_agent_session round trip p90 / p99', `${ms(percentile(samples, 90))} / ${ms(percentile(samples, 99))} (${ROUND_TRIPS} calls)`);

  const t0 = performance.now();
  const clients = await Promise.all(Array.from({ length: CLIENTS }, () => connect(mcpUrl, caller, secret)));
  const connectMs = performance.now() - t0;
  const latencies: number[] = [];
  const t1 = performance.now();
  await Promise.all(
    clients.map(async (c) => {
      for (let i = 0; i < CALLS_PER_CLIENT; i++) {
        const t = await timed(() => c.callTool({ name: 'get_agent_session', arguments: { session_id: caller } }));
        latencies.push(t);
      }
    }),
  );
  const wall = performance.now() - t1;
  report(`${CLIENTS} concurrent clients: connect all`, ms(connectMs), { ok: true, text: `${CLIENTS} sessions` });
  report(
    `${CLIENTS} concurrent clients: calls`,
    `${latencies.length} calls in ${ms(wall)} = ${Math.round((latencies.length / wall) * 1000)} calls/s; p50 ${ms(percentile(latencies, 50))}, p99 ${ms(percentile(latencies, 99))}`,
  );
  await Promise.all(clients.map((c) => c.close()));

  const sync: number[] = [];
  for (let i = 0; i < SYNC_CHILDREN + 5; i++) {
    const t = await timed(() => client.callTool({ name: 'start_agent_session', arguments: { prompt: `child ${i}`, executor: 'test-executor', mode: 'sync' } }));
    if (i >= 5) sync.push(t);
  }
  report('sync child start-to-result (test-executor) p50', ms(percentile(sync, 50)));
  report('sync child start-to-result p90 / p99 / mean', `${ms(percentile(sync, 90))} / ${ms(percentile(sync, 99))} / ${ms(mean(sync))} (${SYNC_CHILDREN} children)`);
  await client.close();
} finally {
  await user.close();
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  cleanup();
}
