// Event visibility, measured as a user sees it (DESIGN: "an event is visible to watchers within 50 ms"):
// a coordinator process, one `agent-runner -c URL -x timed-events` process joined to it, and this process
// watching the session's SSE stream over real HTTP. The timed-events executor stamps each `progress`
// event with the moment it wrote it to stdout (process.hrtime: CLOCK_MONOTONIC, one clock for every
// process on this machine); latency = the moment its SSE frame reached this process − that stamp.
// - spaced, idle: 200 events ~7 ms apart, nothing else running
// - spaced, busy: the same while 3 other runs of the same runner stream an event every ~1 ms each and two
//   clients keep creating short trivial-sh runs (the load line says how much that was)
// - burst: 1000 events in one stdout write (the last of them waits behind the other 999)
// Each case prints p50 / p99 / max against the target (≤ 50 ms), and the share of the way before the coordinator.
// "at coordinator" splits each latency at the event's created_at: when the coordinator began handling the
// runner's batch, before storing it (millisecond resolution, so ±1 ms).
import type { ChildProcess } from 'node:child_process';
import { Agent, get, type IncomingMessage } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchCoordinator } from './coordinator-kit.js';
import { mean, ms, percentile, report } from './lib/stats.js';
import { cpuMs, startBenchRunner, stopChild } from './lib/runner-process.js';

const SPACED_EVENTS = 200;
const SPACED_INTERVAL_MS = 7;
const BURST_EVENTS = 1000;
const WARMUP_EVENTS = 50;
/** Other runs streaming events while the "busy" case is measured, and clients creating short runs. */
const NOISE_RUNS = 3;
const NOISE_INTERVAL_MS = 1;
const CHURN_CLIENTS = 2;
/** The executor waits this long after the session is created before its first event, so the watcher is subscribed. */
const SUBSCRIBE_MARGIN_MS = 300;
const TARGET_MS = 50;
/** A measured session that has not sent its result by then failed. */
const SESSION_TIMEOUT_MS = 60_000;

const now = () => Number(process.hrtime.bigint()) / 1e6;

const work = mkdtempSync(join(tmpdir(), 'event-latency-bench-'));
const children: ChildProcess[] = [];
const coordinatorPids: number[] = [];
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
  for (const pid of coordinatorPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  rmSync(work, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

type Coordinator = Awaited<ReturnType<typeof benchCoordinator>>;
type Api = ReturnType<Coordinator['api']>;

/** Start `agent-runner -c url …` and resolve once it registered. */
async function startRunner(url: string, args: string[]): Promise<ChildProcess> {
  const child = await startBenchRunner(url, args, { cwd: work });
  children.push(child);
  return child;
}

const stopRunner = stopChild;

async function metric(api: Api, pattern: RegExp): Promise<number> {
  const text = (await api('GET', '/metrics')).body as string;
  return Number(pattern.exec(text)?.[1] ?? NaN);
}

/** Wait until the runner's long-poll is parked at the coordinator and nothing runs (the runner is idle). */
async function untilIdle(api: Api): Promise<void> {
  for (;;) {
    const text = (await api('GET', '/metrics')).body as string;
    if (/agent_coordinator_polls_waiting 1\b/.test(text) && /agent_coordinator_runs\{state="running"\} 0\b/.test(text) && /agent_coordinator_runs\{state="claimed"\} 0\b/.test(text)) return;
    await new Promise((r) => setTimeout(r, 5));
  }
}

interface Sample {
  /** Per progress event: received − written, ms. */
  latencies: number[];
  /** Per progress event: the coordinator's created_at − written, ms. */
  toStored: number[];
}

interface Watch {
  /** Resolves once the stream is open (its `: connected` comment arrived), with that moment. */
  connected: Promise<number>;
  /** Resolves when the run's result event arrived; rejects if the stream fails or ends first. */
  done: Promise<Sample>;
  close: () => void;
}

/**
 * Subscribe to a session's SSE stream with node:http and time every `progress` event that carries
 * `sent_at`: the receive time is taken when its chunk arrives, before any parsing.
 */
function watchSession(baseUrl: string, sessionId: string, expected: number): Watch {
  const agent = new Agent({ keepAlive: false });
  let request: ReturnType<typeof get> | undefined;
  let response: IncomingMessage | undefined;
  let connectedAt = NaN;
  let onConnected!: (at: number) => void;
  let onFailed!: (error: Error) => void;
  const connected = new Promise<number>((resolve, reject) => ((onConnected = resolve), (onFailed = reject)));
  connected.catch(() => {});
  const done = new Promise<Sample>((resolve, rejectDone) => {
    const reject = (error: Error) => (onFailed(error), rejectDone(error));
    const latencies: number[] = [];
    const toStored: number[] = [];
    let buffer = '';
    request = get(`${baseUrl}/v1/sessions/${sessionId}/events`, { agent, headers: { accept: 'text/event-stream' } }, (res) => {
      response = res;
      if (res.statusCode !== 200) return reject(new Error(`SSE: HTTP ${res.statusCode}`));
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const receivedAt = now();
        buffer += chunk;
        // The coordinator frames with LF only: a message ends at a blank line.
        for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = frame.split('\n');
          // The stream opens with `retry: 1000` and a `: connected` comment.
          if (lines.includes(': connected') && Number.isNaN(connectedAt)) {
            connectedAt = receivedAt;
            onConnected(receivedAt);
          }
          const data = lines
            .filter((l) => l.startsWith('data: '))
            .map((l) => l.slice(6))
            .join('\n');
          if (data === '') continue;
          const stored = JSON.parse(data) as { type: string; created_at: string; event: { sent_at?: number; sent_wall?: number } };
          if (stored.type === 'progress' && typeof stored.event.sent_at === 'number') {
            latencies.push(receivedAt - stored.event.sent_at);
            toStored.push(Date.parse(stored.created_at) - stored.event.sent_wall!);
          } else if (stored.type === 'result') {
            if (latencies.length !== expected) return reject(new Error(`SSE: ${latencies.length} of ${expected} events before the result`));
            return resolve({ latencies, toStored });
          }
        }
      });
      res.on('error', reject);
      res.on('end', () => reject(new Error('SSE: the stream ended before the result')));
    });
    request.on('error', reject);
  });
  return {
    connected,
    done,
    close: () => {
      response?.destroy();
      request?.destroy();
      agent.destroy();
    },
  };
}

/** Create a timed-events session that starts emitting SUBSCRIBE_MARGIN_MS from now, watch it to its result. */
async function timedSession(c: Coordinator, api: Api, spec: { count: number; interval_ms?: number; burst?: boolean }): Promise<Sample> {
  const startAt = now() + SUBSCRIBE_MARGIN_MS;
  const created = await api('POST', '/v1/sessions', { executor: 'timed-events', prompt: JSON.stringify({ ...spec, start_at: startAt }) });
  if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
  const sessionId = created.body.session_id as string;
  const watch = watchSession(c.url, sessionId, spec.count);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    const timedOut = async () => {
      const session = await api('GET', `/v1/sessions/${sessionId}`).catch((error: Error) => ({ body: error.message }));
      return new Error(`session ${sessionId}: no result on the SSE stream within ${SESSION_TIMEOUT_MS} ms: ${JSON.stringify(session.body)}`);
    };
    timer = setTimeout(() => void timedOut().then(reject, reject), SESSION_TIMEOUT_MS);
  });
  try {
    const connectedAt = await Promise.race([watch.connected, deadline]);
    if (connectedAt >= startAt) throw new Error(`the watcher subscribed ${ms(connectedAt - startAt)} after the first event was due; raise SUBSCRIBE_MARGIN_MS`);
    return await Promise.race([watch.done, deadline]);
  } finally {
    clearTimeout(timer);
    watch.close();
  }
}

function reportCase(label: string, sample: Sample): void {
  const { latencies, toStored } = sample;
  const p50 = percentile(latencies, 50);
  const p99 = percentile(latencies, 99);
  const max = Math.max(...latencies);
  const verdict = (v: number) => ({ ok: v <= TARGET_MS, text: `≤ ${TARGET_MS} ms` });
  report(`${label}: p50`, ms(p50), verdict(p50));
  report(`${label}: p99`, ms(p99), verdict(p99));
  report(`${label}: max`, ms(max), verdict(max));
  report(`${label}: mean`, `${ms(mean(latencies))} over ${latencies.length} events`);
  report(`${label}: → coordinator p50 / p99`, `${ms(percentile(toStored, 50))} / ${ms(percentile(toStored, 99))} (±1 ms)`);
}

/** Keep `NOISE_RUNS` runs streaming events and `CHURN_CLIENTS` clients creating short runs, until `stop()`. */
function busyLoad(api: Api) {
  let stopping = false;
  const noiseIds: string[] = [];
  const noiseRuns: string[] = [];
  let churned = 0;
  const noise = (async () => {
    for (let i = 0; i < NOISE_RUNS; i++) {
      // Long enough to outlast the measured run; stopped when it is over.
      const res = await api('POST', '/v1/sessions', { executor: 'timed-events', prompt: JSON.stringify({ count: 60_000, interval_ms: NOISE_INTERVAL_MS }) });
      if (res.status !== 201) throw new Error(`create noise: ${res.status}`);
      noiseIds.push(res.body.session_id);
      noiseRuns.push(res.body.run_id);
    }
  })();
  const churn = Array.from({ length: CHURN_CLIENTS }, async () => {
    while (!stopping) {
      const res = await api('POST', '/v1/sessions', { executor: 'trivial-sh', prompt: 'x' });
      if (res.status !== 201) throw new Error(`create churn: ${res.status}`);
      for (;;) {
        const session = await api('GET', `/v1/sessions/${res.body.session_id}`);
        if (!['queued', 'running'].includes(session.body.status)) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      churned += 1;
    }
  });
  return {
    /** Resolves once every noise run is running and streaming. */
    async ready(): Promise<void> {
      await noise;
      while ((await metric(api, /agent_coordinator_runs\{state="running"\} (\d+)/)) < NOISE_RUNS) await new Promise((r) => setTimeout(r, 10));
    },
    /** Events the noise runs have stored so far. */
    async events(): Promise<number> {
      const runs = await Promise.all(noiseRuns.map((id) => api('GET', `/v1/runs/${id}`)));
      return runs.reduce((sum, r) => sum + Number(r.body.last_event_seq ?? 0), 0);
    },
    async stop(): Promise<{ churned: number }> {
      stopping = true;
      await noise.catch(() => {});
      await Promise.allSettled(churn);
      await Promise.all(noiseIds.map((id) => api('POST', `/v1/sessions/${id}/stop`, {})));
      for (const id of noiseIds) {
        for (;;) {
          const session = await api('GET', `/v1/sessions/${id}`);
          if (!['queued', 'running'].includes(session.body.status)) break;
          await new Promise((r) => setTimeout(r, 20));
        }
      }
      const failures = await Promise.allSettled(churn);
      for (const f of failures) if (f.status === 'rejected') throw f.reason;
      return { churned };
    },
  };
}

async function main(): Promise<void> {
  const c = await benchCoordinator('sqlite');
  coordinatorPids.push(c.pid);
  let runner: ChildProcess | undefined;
  try {
    runner = await startRunner(c.url, ['-x', 'timed-events', '-x', 'trivial-sh', '-n', '8']);
    const api = c.api();

    await untilIdle(api);
    await timedSession(c, api, { count: WARMUP_EVENTS, interval_ms: SPACED_INTERVAL_MS });

    await untilIdle(api);
    reportCase(`event latency, spaced, idle`, await timedSession(c, api, { count: SPACED_EVENTS, interval_ms: SPACED_INTERVAL_MS }));

    await untilIdle(api);
    const load = busyLoad(api);
    let busy;
    try {
      await load.ready();
      const [events0, t0] = [await load.events(), now()];
      const cpu0 = { runner: cpuMs(runner.pid!), coordinator: cpuMs(c.pid) };
      busy = await timedSession(c, api, { count: SPACED_EVENTS, interval_ms: SPACED_INTERVAL_MS });
      const seconds = (now() - t0) / 1000;
      const cpu = (pid: number, before: number) => `${((cpuMs(pid) - before) / 10 / seconds).toFixed(0)}%`;
      const cpuText = `runner ${cpu(runner.pid!, cpu0.runner)}, coordinator ${cpu(c.pid, cpu0.coordinator)} CPU`;
      const rate = ((await load.events()) - events0) / seconds;
      const { churned } = await load.stop();
      reportCase(`event latency, spaced, busy`, busy);
      report('event latency, spaced, busy: load', `other runs' events ${rate.toFixed(0)}/s, ${churned} short runs in all; ${cpuText}`);
    } finally {
      if (busy === undefined) await load.stop().catch(() => {});
    }

    await untilIdle(api);
    reportCase(`event latency, burst of ${BURST_EVENTS}`, await timedSession(c, api, { count: BURST_EVENTS, burst: true }));
  } finally {
    if (runner !== undefined) await stopRunner(runner);
    await c.stop();
  }
}

await main();
