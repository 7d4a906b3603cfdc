// The console (issue 17), measured as people use it:
// - sessions page: first render of /sessions with 10,000 sessions stored (server time: the whole answer on
//   loopback), target ≤ 300 ms; also a text search over them;
// - session page: /sessions/:id of a session with 5,000 stored events (messages in markdown, tool calls),
//   target ≤ 300 ms;
// - event → open page: a real Chromium (Debian's) shows /sessions/:id while the timed-events executor
//   prints progress events stamped with the wall clock; the page stamps each event's article as it is
//   added (MutationObserver, same clock); p50 target ≤ 100 ms;
// - 50 open pages following live: the runner throughput round (trivial-sh, concurrency 16) with and
//   without 50 page-like followers (each: GET /v1/changes, and on a change at most twice a second the
//   sessions page fragment read again at most once a second, as sessions-list.js does in a visible tab), alternated; target drop ≤ 10%. The
//   followers run in this process, on the same two cores as the coordinator and the runner (in real use
//   the browsers are elsewhere), so the figure overstates the cost.
// BENCH_CONSOLE_PARTS=pages,live,followers picks parts; BENCH_CONSOLE_SESSIONS (10,000), BENCH_RUNS (600
// runs a throughput round) and BENCH_CONSOLE_ROUNDS (3 pairs of rounds) change the sizes; CHROMIUM_PATH the browser.
import { type ChildProcess } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { CoordinatorHttp } from '../lib/client/http-client.js';
import { SessionStartedSchema } from '../protocol/sessions.js';
import { apiClient, benchCoordinator, pollRun, registerRunner } from './coordinator-kit.js';
import { percentile, report } from './lib/stats.js';
import { cpuMs, startBenchRunner, stopChild } from './lib/runner-process.js';

const SESSIONS = Number(process.env.BENCH_CONSOLE_SESSIONS ?? 10_000);
const EVENTS = 5_000;
const RENDERS = 20;
const LIVE_EVENTS = 60;
const FOLLOWERS = Number(process.env.BENCH_CONSOLE_FOLLOWERS ?? 50);
const ROUND_RUNS = Number(process.env.BENCH_RUNS ?? 600);
const ROUNDS = Number(process.env.BENCH_CONSOLE_ROUNDS ?? 3);
const CONCURRENCY = 16;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const work = mkdtempSync(join(tmpdir(), 'console-bench-'));
const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

/** Create `n` sessions from CONCURRENCY keep-alive clients. */
async function createSessions(url: string, n: number, body: (i: number) => Record<string, unknown>): Promise<void> {
  const http = new CoordinatorHttp(url);
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) {
        const i = next++;
        const res = await http.json({ method: 'POST', path: '/v1/sessions', body: body(i) }, SessionStartedSchema);
        if (res.status !== 201) throw new Error(`create: ${res.status}`);
      }
    }),
  );
  http.close();
}

/** Milliseconds to GET `path` whole (status 200 required), `times` times after one warm-up. */
async function timeGets(url: string, path: string, times: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i <= times; i++) {
    const t0 = performance.now();
    const res = await fetch(`${url}${path}`);
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${text.slice(0, 200)}`);
    if (i > 0) samples.push(performance.now() - t0);
  }
  return samples;
}

async function pages(): Promise<void> {
  const c = await benchCoordinator('sqlite');
  try {
    const t0 = performance.now();
    await createSessions(c.url, SESSIONS, (i) => ({ executor: 'nobody', prompt: `task ${i}: ${i % 7 === 0 ? 'review the parser' : 'fix the build'} #${i}`, tags: [] }));
    report('seeded sessions', `${SESSIONS} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const list = await timeGets(c.url, '/sessions', RENDERS);
    const p50 = percentile(list, 50);
    report(`sessions page, ${SESSIONS} sessions, p50`, `${p50.toFixed(1)} ms (p95 ${percentile(list, 95).toFixed(1)} ms)`, { ok: p50 <= 300, text: '≤ 300 ms' });
    const search = await timeGets(c.url, '/sessions?q=parser', RENDERS);
    report('sessions page, text search, p50', `${percentile(search, 50).toFixed(1)} ms (p95 ${percentile(search, 95).toFixed(1)} ms)`);

    // One session with 5,000 events, reported by a runner as an executor would.
    const api = c.api();
    const runner = await registerRunner(api, ['bench']);
    const created = await api('POST', '/v1/sessions', { executor: 'bench', prompt: 'long one' });
    const { run } = await pollRun(api, runner);
    const text = '## Step\nI read `src/parser.ts` and found **two** problems:\n\n- the tokenizer drops `\\r`\n- a `<tag>` in a comment\n\n```ts\nconst x = 1;\n```';
    for (let from = 0; from < EVENTS; from += 500) {
      const events = Array.from({ length: 500 }, (_, k) => {
        const i = from + k;
        const event = i % 3 === 0 ? { type: 'message', role: 'assistant', text: `${text} (${i})` } : i % 3 === 1 ? { type: 'tool_call', name: 'bash', id: `t${i}`, input: { cmd: `grep -n x src/${i}.ts` } } : { type: 'tool_result', id: `t${i - 1}`, output: `line ${i}\n`.repeat(5) };
        return { seq: i + 1, event };
      });
      const res = await api('POST', `/v1/runners/${runner.runner_id}/reports`, { reports: [{ run_id: run.run_id, ...(from === 0 ? { started: {} } : {}), events }] }, runner.token);
      if (res.status !== 200) throw new Error(`reports: ${res.status} ${JSON.stringify(res.body)}`);
    }
    const one = await timeGets(c.url, `/sessions/${created.body.session_id}`, RENDERS);
    const p50one = percentile(one, 50);
    report(`session page, ${EVENTS} events, p50`, `${p50one.toFixed(1)} ms (p95 ${percentile(one, 95).toFixed(1)} ms)`, { ok: p50one <= 300, text: '≤ 300 ms' });
    // The page comes with the first 500 events; its feed reads the rest in pages of 500. In Chromium: the
    // time from navigation to every event in the page.
    if (existsSync(CHROMIUM)) {
      const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
      try {
        const tab = await browser.newPage();
        const t1 = performance.now();
        await tab.goto(`${c.url}/sessions/${created.body.session_id}`);
        const shown = await tab.waitForFunction(
          (n: number) => {
            const d = (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document;
            const count = d.querySelectorAll('#events .event').length;
            return count >= n ? count : false;
          },
          { timeout: 120_000, polling: 50 },
          EVENTS,
        );
        report(`session page, all ${EVENTS} events in Chromium`, `${(performance.now() - t1).toFixed(0)} ms (${String(await shown.jsonValue())} events shown)`);
      } finally {
        await browser.close();
      }
    }
  } finally {
    await c.stop();
  }
}

async function liveLatency(): Promise<void> {
  if (!existsSync(CHROMIUM)) return report('event → open page', `skipped: no Chromium at ${CHROMIUM}`);
  const c = await benchCoordinator('sqlite');
  const runner = await startBenchRunner(c.url, ['-x', 'timed-events', '-n', '2'], { cwd: work });
  children.push(runner);
  const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  try {
    const api = c.api();
    // The first event leaves the executor 3 s after the session is created: the page is open by then.
    const startAt = Number(process.hrtime.bigint()) / 1e6 + 3000;
    const created = await api('POST', '/v1/sessions', { executor: 'timed-events', prompt: JSON.stringify({ count: LIVE_EVENTS, interval_ms: 40, start_at: startAt }) });
    const id = created.body.session_id as string;
    const page = await browser.newPage();
    await page.evaluateOnNewDocument(() => {
      const w = globalThis as unknown as { __arrivals: Record<string, number>; MutationObserver: new (cb: (records: Array<{ addedNodes: ArrayLike<{ dataset?: Record<string, string> }> }>) => void) => { observe(n: unknown, o: unknown): void }; document: unknown };
      w.__arrivals = {};
      new w.MutationObserver((records) => {
        const t = Date.now();
        for (const r of records) for (const n of Array.from(r.addedNodes)) if (n.dataset?.seq !== undefined) w.__arrivals[n.dataset.seq] ??= t;
      }).observe(w.document, { childList: true, subtree: true });
    });
    await page.goto(`${c.url}/sessions/${id}`);
    for (;;) {
      const s = await api('GET', `/v1/sessions/${id}`);
      if (s.body.status !== 'running' && s.body.status !== 'queued') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const events0 = (await api('GET', `/v1/sessions/${id}/events?limit=1000`)).body.events as Array<{ seq: number }>;
    try {
      await page.waitForFunction((n: number) => Object.keys((globalThis as unknown as { __arrivals: object }).__arrivals).length >= n, { timeout: 30_000 }, events0.length);
    } catch (error) {
      const seen = await page.evaluate(() => Object.keys((globalThis as unknown as { __arrivals: object }).__arrivals).length);
      throw new Error(`the page showed ${seen} of ${events0.length} events: ${(error as Error).message}`);
    }
    const arrivals = (await page.evaluate(() => (globalThis as unknown as { __arrivals: Record<string, number> }).__arrivals)) as Record<string, number>;
    const events = (await api('GET', `/v1/sessions/${id}/events?limit=1000`)).body.events as Array<{ seq: number; type: string; event: { sent_wall?: number } }>;
    const latencies = events.filter((e) => e.type === 'progress' && typeof e.event.sent_wall === 'number' && arrivals[e.seq] !== undefined).map((e) => arrivals[e.seq]! - e.event.sent_wall!);
    const p50 = percentile(latencies, 50);
    report('event → open page (Chromium), p50', `${p50.toFixed(0)} ms (p95 ${percentile(latencies, 95).toFixed(0)} ms, ${latencies.length} events)`, { ok: p50 <= 100, text: '≤ 100 ms' });
  } finally {
    await browser.close();
    await stopChild(runner);
    await c.stop();
  }
}

/** A page-like follower: GET /v1/changes, and on changes read the sessions page fragment again, at most once a second. */
function follower(url: string, agent: Agent, stop: AbortSignal, counts: { reads: number }) {
  let timer: NodeJS.Timeout | null = null;
  let again = false;
  const reread = () => {
    if (stop.aborted) return;
    if (timer !== null) return void (again = true);
    timer = setTimeout(() => {
      get(`${url}/sessions?fragment=rows`, { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          counts.reads += 1;
          setTimeout(() => {
            timer = null;
            if (again) ((again = false), reread());
          }, 1000);
        });
      }).on('error', () => undefined);
    }, 0);
  };
  get(`${url}/v1/changes`, { agent, signal: stop }, (res) => res.on('data', reread).on('error', () => undefined)).on('error', () => undefined);
}

/**
 * Runs ended, however (a loaded machine fails a few trivial-sh runs: waiting for as many successes never
 * ended); the failed ones are said after the figures.
 */
function endedRuns(metrics: string): number {
  let ended = 0;
  for (const state of ['succeeded', 'failed', 'cancelled', 'timed_out', 'lost']) ended += Number(new RegExp(`agent_coordinator_runs\\{state="${state}"\\} (\\d+)`).exec(metrics)?.[1] ?? 0);
  return ended;
}

/** One throughput round: runs/s, and the CPU ms per run the coordinator and this process (its followers) used. */
async function throughput(c: { url: string; pid: number }, api: ReturnType<typeof apiClient>, done: number): Promise<{ rate: number; coordinatorCpu: number; benchCpu: number }> {
  const cpu0 = cpuMs(c.pid);
  const self0 = process.cpuUsage();
  const t0 = performance.now();
  await createSessions(c.url, ROUND_RUNS, () => ({ executor: 'trivial-sh', prompt: 'hello' }));
  for (;;) {
    if (endedRuns((await api('GET', '/metrics')).body as string) >= done + ROUND_RUNS) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const self = process.cpuUsage(self0);
  return { rate: ROUND_RUNS / ((performance.now() - t0) / 1000), coordinatorCpu: (cpuMs(c.pid) - cpu0) / ROUND_RUNS, benchCpu: (self.user + self.system) / 1000 / ROUND_RUNS };
}

const median = (xs: readonly number[]) => percentile(xs, 50);
const spread = (xs: readonly number[], digits: number) => `${xs.map((x) => x.toFixed(digits)).join(', ')}`;

/**
 * Rounds without and with the followers, alternated (BENCH_CONSOLE_ROUNDS pairs, 3). On a shared machine
 * the rate moves with the neighbours' load; the CPU per run the coordinator spends does much less, so it
 * is printed too: the followers' cost is its growth.
 */
async function followersCost(): Promise<void> {
  const c = await benchCoordinator('sqlite');
  const runner = await startBenchRunner(c.url, ['-x', 'trivial-sh', '-n', String(CONCURRENCY)], { cwd: work });
  children.push(runner);
  try {
    const api = c.api();
    let done = 0;
    await throughput(c, api, done); // warm-up
    done += ROUND_RUNS;
    const without: Array<Awaited<ReturnType<typeof throughput>>> = [];
    const withPages: typeof without = [];
    const counts = { reads: 0 };
    const readsPerRound: number[] = [];
    setMaxListeners(FOLLOWERS + 10);
    for (let round = 0; round < ROUNDS; round++) {
      without.push(await throughput(c, api, done));
      done += ROUND_RUNS;
      const stop = new AbortController();
      const agent = new Agent({ keepAlive: true, maxSockets: FOLLOWERS * 2 });
      for (let i = 0; i < FOLLOWERS; i++) follower(c.url, agent, stop.signal, counts);
      const reads0 = counts.reads;
      withPages.push(await throughput(c, api, done));
      readsPerRound.push(counts.reads - reads0);
      done += ROUND_RUNS;
      stop.abort();
      agent.destroy();
    }
    const rates = (xs: typeof without) => xs.map((x) => x.rate);
    const base = median(rates(without));
    const loaded = median(rates(withPages));
    const drop = (1 - loaded / base) * 100;
    // Each pair's own drop: neighbours' load changes slower than a pair of rounds.
    const drops = without.map((w, i) => (1 - withPages[i]!.rate / w.rate) * 100);
    report('throughput without open pages, median', `${base.toFixed(0)} runs/s (${spread(rates(without), 0)})`);
    report(`throughput with ${FOLLOWERS} pages following, median`, `${loaded.toFixed(0)} runs/s (${spread(rates(withPages), 0)}; ${counts.reads} page reads)`);
    report(`throughput drop with ${FOLLOWERS} open pages`, `${drop.toFixed(1)}% (per pair: ${spread(drops, 1)}%)`, { ok: drop <= 10, text: '≤ 10%' });
    const cpu = (xs: typeof without, k: 'coordinatorCpu' | 'benchCpu') => xs.map((x) => x[k]);
    const cpuBase = median(cpu(without, 'coordinatorCpu'));
    const cpuLoaded = median(cpu(withPages, 'coordinatorCpu'));
    report('coordinator CPU per run without pages, median', `${cpuBase.toFixed(2)} ms (${spread(cpu(without, 'coordinatorCpu'), 2)})`);
    report(`coordinator CPU per run with ${FOLLOWERS} pages, median`, `${cpuLoaded.toFixed(2)} ms (${spread(cpu(withPages, 'coordinatorCpu'), 2)}; +${((cpuLoaded / cpuBase - 1) * 100).toFixed(1)}%)`);
    // What the followers cost the coordinator, per page read (its stream's share included): the CPU a
    // round with them took over the round before it without, over the reads made. Rounds of different
    // lengths (a loaded machine) make different numbers of reads; this does not move with that.
    const perRead = without.map((w, i) => ((withPages[i]!.coordinatorCpu - w.coordinatorCpu) * ROUND_RUNS) / Math.max(1, readsPerRound[i]!));
    report('coordinator CPU per page read, median', `${median(perRead).toFixed(2)} ms (${spread(perRead, 2)})`);
    const failed = Number(/agent_coordinator_runs\{state="failed"\} (\d+)/.exec((await api('GET', '/metrics')).body as string)?.[1] ?? 0);
    if (failed > 0) report('runs failed (counted as ended)', String(failed));
    report(`followers' own CPU per run (this process)`, `${median(cpu(withPages, 'benchCpu')).toFixed(2)} ms (without: ${median(cpu(without, 'benchCpu')).toFixed(2)} ms)`);
  } finally {
    await stopChild(runner);
    await c.stop();
  }
}

const parts = (process.env.BENCH_CONSOLE_PARTS ?? 'pages,live,followers').split(',');
if (parts.includes('pages')) await pages();
if (parts.includes('live')) await liveLatency();
if (parts.includes('followers')) await followersCost();
