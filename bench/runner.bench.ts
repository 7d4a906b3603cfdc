// The runner daemon, measured as a user sees it: a coordinator process, one `agent-runner` process joined
// to it, and this process creating sessions over HTTP.
// - dispatch latency: session created → executor process started (idle runner; target p50 ≤ 15 ms, p99 ≤ 60 ms)
// - throughput: created → succeeded with the sh example at concurrency 16 (target ≥ 200 runs/s)
// - runner overhead: the same work as bare spawns of the executor (target ≤ 1.5×)
// - idle runner RSS, and after its first MCP tool call (target ≤ 80 MB for both)
// BENCH_RUNS=n changes the number of timed throughput runs (default 1000), e.g. for a quick check.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createReadStream, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CoordinatorHttp } from '../lib/client/http-client.js';
import { SessionStartedSchema } from '../protocol/sessions.js';
import { BIN, ROOT, shipped } from '../test/helpers/fixtures.js';
import { BENCH_NODE_ARGS } from '../test/coordinator/spawn-coordinator.js';
import { benchCoordinator, fmt, percentile, rssMb } from './coordinator-kit.js';
import { connectMcp } from './lib/mcp-client.js';
import { mean, report } from './lib/stats.js';

const DISPATCH_SAMPLES = 200;
const DISPATCH_WARMUP = 20;
const THROUGHPUT_RUNS = Number(process.env.BENCH_RUNS ?? 1000);
const THROUGHPUT_WARMUP = 100;
const CONCURRENCY = 16;
const BARE_RUNS = 1000;

const work = mkdtempSync(join(tmpdir(), 'runner-bench-'));
const children: ChildProcess[] = [];
/** What each runner logged up to its registration (its MCP endpoint's URL is in it). */
const startLogs = new Map<ChildProcess, string>();
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

type Api = ReturnType<Awaited<ReturnType<typeof benchCoordinator>>['api']>;

/** Start `agent-runner -c url …` and resolve once it registered. */
async function startRunner(url: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...BENCH_NODE_ARGS, BIN, '-c', url, ...args], {
    cwd: work,
    env: { ...process.env, AGENT_RUNNER_EXECUTORS_PATH: join(ROOT, 'bench', 'executors'), AGENT_RUNNER_LOCAL_PORT: '1', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  const onData = (chunk: string) => (stderr += chunk);
  await new Promise<void>((resolve, reject) => {
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      onData(chunk);
      if (stderr.includes('"msg":"registered with the coordinator"')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`agent-runner exited with ${code}: ${stderr}`)));
  });
  startLogs.set(child, stderr);
  // Registered: keep draining its log (two lines a run), holding on to its tail only.
  child.stderr!.removeAllListeners('data').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-20_000)));
  // A runner that dies mid-benchmark must fail it, not leave it waiting for runs that never finish.
  child.once('exit', (code, signal) => {
    if (stopping.has(child)) return;
    console.error(`agent-runner exited during the benchmark (code ${code}, signal ${signal}); its last log lines:\n${stderr}`);
    process.exit(1);
  });
  return child;
}

const stopping = new Set<ChildProcess>();

async function stopRunner(child: ChildProcess): Promise<void> {
  stopping.add(child);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Wait until the runner's long-poll is parked at the coordinator (the runner is idle). */
async function untilPollParked(api: Api): Promise<void> {
  for (;;) {
    const metrics = (await api('GET', '/metrics')).body as string;
    if (/agent_coordinator_polls_waiting 1\b/.test(metrics) && /agent_coordinator_runs\{state="running"\} 0\b/.test(metrics) && /agent_coordinator_runs\{state="claimed"\} 0\b/.test(metrics)) return;
  }
}

/** CPU time (user + system) a process used so far, in ms (Linux clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function succeededCount(api: Api): Promise<number> {
  const metrics = (await api('GET', '/metrics')).body as string;
  return Number(/agent_coordinator_runs\{state="succeeded"\} (\d+)/.exec(metrics)?.[1] ?? 0);
}

async function dispatchLatency(): Promise<void> {
  const c = await benchCoordinator('sqlite');
  const fifo = join(work, 'started.fifo');
  execFileSync('mkfifo', [fifo]);
  // Opened read-write so the stream never sees end-of-file between executors.
  const stream = createReadStream('', { fd: openSync(fifo, 'r+') });
  const lines = createInterface({ input: stream });
  let waiting: ((runId: string) => void) | undefined;
  lines.on('line', (runId) => waiting?.(runId));
  const runner = await startRunner(c.url, ['-x', 'fifo-start', '-n', '4'], { START_FIFO: fifo });
  try {
    const api = c.api();
    const latencies: number[] = [];
    for (let i = 0; i < DISPATCH_WARMUP + DISPATCH_SAMPLES; i++) {
      await untilPollParked(api);
      const started = new Promise<string>((resolve) => (waiting = resolve));
      const t0 = performance.now();
      const created = await api('POST', '/v1/sessions', { executor: 'fifo-start', prompt: 'x' });
      const runId = await started;
      const t1 = performance.now();
      if (runId !== created.body.run_id) throw new Error(`started ${runId}, created ${created.body.run_id}`);
      if (i >= DISPATCH_WARMUP) latencies.push(t1 - t0);
    }
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    report('dispatch latency p50 (created → started)', `${fmt(p50)} ms`, { ok: p50 <= 15, text: '≤ 15 ms' });
    report('dispatch latency p99', `${fmt(p99)} ms`, { ok: p99 <= 60, text: '≤ 60 ms' });
    report('dispatch latency mean / max', `${fmt(mean(latencies))} / ${fmt(Math.max(...latencies))} ms over ${DISPATCH_SAMPLES} runs`);
  } finally {
    lines.close();
    // A thread-pool read stays blocked on the FIFO until someone writes, and Node joins the pool at
    // exit: end the stream, then unblock that read.
    stream.destroy();
    writeFileSync(fifo, '\n');
    await stopRunner(runner);
    await c.stop();
  }
}

/**
 * Create `n` sessions for `executor` from `CONCURRENCY` parallel clients and wait until all succeeded;
 * runs/s. The clients use keep-alive node:http (fetch costs this process about 1 ms of CPU a request,
 * which on two cores is taken from the runner and the coordinator being measured).
 */
async function throughputRound(api: Api, url: string, executor: string, n: number, offset: number): Promise<number> {
  const http = new CoordinatorHttp(url);
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) {
        next += 1;
        const res = await http.json({ method: 'POST', path: '/v1/sessions', body: { executor, prompt: 'hello' } }, SessionStartedSchema);
        if (res.status !== 201) throw new Error(`create: ${res.status}`);
      }
    }),
  );
  while ((await succeededCount(api)) < offset + n) await new Promise((r) => setTimeout(r, 50));
  http.close();
  return n / ((performance.now() - t0) / 1000);
}

async function runnerThroughput(executor: string): Promise<{ runsPerSecond: number; idleRssMb: number; afterRssMb: number }> {
  const c = await benchCoordinator('sqlite');
  const runner = await startRunner(c.url, ['-x', executor, '-n', String(CONCURRENCY), '--executors-dir', join(ROOT, 'executors')]);
  try {
    const api = c.api();
    await untilPollParked(api);
    // Idle RSS: registered, nothing run yet, after the first heartbeat window is irrelevant (no timers grow).
    const idleRssMb = rssMb(runner.pid!);
    await throughputRound(api, c.url, executor, THROUGHPUT_WARMUP, 0);
    const cpu0 = { runner: cpuMs(runner.pid!), coordinator: cpuMs(c.pid), bench: process.cpuUsage() };
    const runsPerSecond = await throughputRound(api, c.url, executor, THROUGHPUT_RUNS, THROUGHPUT_WARMUP);
    const bench = process.cpuUsage(cpu0.bench);
    report(`CPU per run (${executor}): runner / coordinator / client`, `${fmt((cpuMs(runner.pid!) - cpu0.runner) / THROUGHPUT_RUNS)} / ${fmt((cpuMs(c.pid) - cpu0.coordinator) / THROUGHPUT_RUNS)} / ${fmt((bench.user + bench.system) / 1000 / THROUGHPUT_RUNS)} ms`);
    const failed = /agent_coordinator_runs\{state="failed"\} (\d+)/.exec((await api('GET', '/metrics')).body as string)?.[1];
    if (failed !== '0') throw new Error(`${failed} runs failed`);
    await untilPollParked(api);
    const afterRssMb = rssMb(runner.pid!);
    return { runsPerSecond, idleRssMb, afterRssMb };
  } finally {
    await stopRunner(runner);
    await c.stop();
  }
}

/** The MCP secret the measured runner is started with (AGENT_RUNNER_SECRET), so the bench can sign its calls. */
const MCP_SECRET = 'bench-secret-of-at-least-32-characters';

/**
 * Idle runner RSS before and after its first MCP tool call (get_agent_session, which loads the runner's
 * coordinator client for the MCP tools). Target: ≤ 80 MB after it (undici took it from ~69 to ~86 MB).
 */
async function rssAfterFirstMcpCall(): Promise<{ before: number; after: number }> {
  const c = await benchCoordinator('sqlite');
  const runner = await startRunner(c.url, ['-x', 'sh-echo', '--executors-dir', join(ROOT, 'executors')], { AGENT_RUNNER_SECRET: MCP_SECRET });
  try {
    const api = c.api();
    await untilPollParked(api);
    const before = rssMb(runner.pid!);
    // A caller session no runner serves stays queued: the call is about it, not about running anything.
    const created = await api('POST', '/v1/sessions', { executor: 'not-served', prompt: 'rss probe' });
    const url = /"url":"(http:\/\/[^"]+\/mcp)"/.exec(startLogs.get(runner) ?? '')?.[1];
    if (url === undefined) throw new Error('the runner did not log its MCP endpoint URL');
    const sessionId = (created.body as { session_id: string }).session_id;
    const client = await connectMcp(url, sessionId, MCP_SECRET);
    const result = await client.callTool({ name: 'get_agent_session', arguments: { session_id: sessionId } });
    await client.close();
    if (result.isError === true) throw new Error(`get_agent_session failed: ${JSON.stringify(result.content)}`);
    return { before, after: rssMb(runner.pid!) };
  } finally {
    await stopRunner(runner);
    await c.stop();
  }
}

/** Spawn sh-echo with an invocation, read its output to the end: the work without any runner. */
function bareRun(executable: string, i: number): Promise<void> {
  const invocation = JSON.stringify({ schema_version: '2.0', mode: 'start', session_id: `ses_bench${i}`, prompt: 'hello', project_dir: work });
  return new Promise((resolve, reject) => {
    const child = spawn(executable, [], { cwd: work, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`exit ${code}`))));
    child.stdin.end(invocation);
  });
}

async function bareThroughput(executable: string): Promise<number> {
  for (let i = 0; i < 50; i++) await bareRun(executable, i);
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < BARE_RUNS) await bareRun(executable, next++);
    }),
  );
  return BARE_RUNS / ((performance.now() - t0) / 1000);
}

if (process.env.SKIP_DISPATCH === undefined) await dispatchLatency();
const mcpRss = await rssAfterFirstMcpCall();
report('idle runner RSS after its first MCP tool call', `${fmt(mcpRss.after, 1)} MB (before the call: ${fmt(mcpRss.before, 1)} MB)`, { ok: mcpRss.after <= 80, text: '≤ 80 MB' });
const { runsPerSecond, idleRssMb, afterRssMb } = await runnerThroughput('sh-echo');
const bare = await bareThroughput(shipped('sh-echo', 'ao-sh-echo-exec'));
report(`throughput, sh-echo, concurrency ${CONCURRENCY}`, `${fmt(runsPerSecond, 0)} runs/s (created → succeeded, ${THROUGHPUT_RUNS} runs)`, { ok: runsPerSecond >= 200, text: '≥ 200 runs/s' });
report(`bare spawn of sh-echo, concurrency ${CONCURRENCY}`, `${fmt(bare, 0)} runs/s (${fmt(1000 / bare)} ms per run)`);
const ratio = bare / runsPerSecond;
report('runner overhead, sh-echo (vs bare spawn)', `${fmt(ratio)}× (${fmt(1000 / runsPerSecond)} vs ${fmt(1000 / bare)} ms per run)`, { ok: ratio <= 1.5, text: '≤ 1.5×' });
const trivial = await runnerThroughput('trivial-sh');
const trivialBare = await bareThroughput(join(ROOT, 'bench', 'executors', 'trivial-sh', 'ao-trivial-sh-exec'));
report(`throughput, trivial-sh, concurrency ${CONCURRENCY}`, `${fmt(trivial.runsPerSecond, 0)} runs/s (created → succeeded)`, { ok: trivial.runsPerSecond >= 200, text: '≥ 200 runs/s' });
report(`bare spawn of trivial-sh, concurrency ${CONCURRENCY}`, `${fmt(trivialBare, 0)} runs/s (${fmt(1000 / trivialBare)} ms per run)`);
const trivialRatio = trivialBare / trivial.runsPerSecond;
report('runner overhead, trivial-sh (vs bare spawn)', `${fmt(trivialRatio)}×`, { ok: trivialRatio <= 1.5, text: '≤ 1.5×' });
report('idle runner RSS (joined to a coordinator)', `${fmt(idleRssMb, 1)} MB (after ${THROUGHPUT_RUNS + THROUGHPUT_WARMUP} runs: ${fmt(afterRssMb, 1)} MB)`, { ok: idleRssMb <= 80, text: '≤ 80 MB' });
