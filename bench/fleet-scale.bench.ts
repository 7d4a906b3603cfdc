// Scale (issue 13), in two parts (FLEET_PART=runners|memory picks one; both by default):
// 1. Many small runners: 50 runner processes × 8 slots against one runner × 64 slots, on SQLite and on
//    PostgreSQL: throughput of a batch of trivial runs (≥ 0.9× of 1×64) and start latency, run created →
//    started (p99 ≤ 60 ms). Each configuration has its own coordinator, started once per store with its
//    runners; the one not being measured is frozen (SIGSTOP), so the two never share a CPU or wake-ups.
//    Batches alternate 1×64, 50×8, 1×64, 50×8 (FLEET_REPS pairs, default 2) of FLEET_RUNS runs (default 2000),
//    after a warm-up of 100 runs per runner (FLEET_WARMUP_PER_RUNNER; at least 200).
// 2. Memory after load: one coordinator (SQLite) and one runner of 16 slots, FLEET_MEMORY_RUNS runs
//    (default 10,000) in batches of 1,000, RSS of both sampled while each batch runs: after 10k runs the
//    runner ≤ 90 MB and level (last batch's mean − first batch's), the coordinator ≤ 130 MB.
//    Start latency is judged at a steady rate (half the 1×64 burst's throughput, FLEET_PACED_RUNS runs,
//    default 500), where a run does not queue behind the batch; the bursts' start latency is printed too.
// FLEET_STORE=sqlite|postgres measures part 1 on one store only; FLEET_RUNNERS changes the 50.
import { type StoreKind } from '../test/coordinator/helpers.js';
import { postgresAvailable } from './coordinator-kit.js';
import { cpuMs, RunnerGroup, type RunTimes, schedMs, statusMb, type SubmittedBatch } from './fleet-kit.js';
import { machineLine, mean, percentile, report } from './lib/stats.js';

const PART = process.env.FLEET_PART;
const STORE = process.env.FLEET_STORE;
const RUNS = Number(process.env.FLEET_RUNS ?? 2000);
const REPS = Number(process.env.FLEET_REPS ?? 2);
const FLEET_RUNNERS = Number(process.env.FLEET_RUNNERS ?? 50);
const FLEET_SLOTS = 8;
const SINGLE_SLOTS = 64;
/**
 * Runs before the first measured batch, per runner of the group (at least 200 in all), so every runner
 * starts warm (its JIT, its connections; the coordinator's pools and pages) as a fleet's long-lived
 * runners are: 200 runs in all left each of fifty runners with 4 runs behind it, still compiling and
 * running cold code (on a 50×8 burst, runners' CPU per run 19.7 ms after 200 warm-up runs, 15.4 ms after
 * 10,000; 1×64: 6.3–7.2 ms either way). FLEET_WARMUP_PER_RUNNER changes it.
 */
const WARMUP_PER_RUNNER = Number(process.env.FLEET_WARMUP_PER_RUNNER ?? 100);
const warmupRuns = (runners: number) => Math.max(200, WARMUP_PER_RUNNER * runners);

const MEMORY_RUNS = Number(process.env.FLEET_MEMORY_RUNS ?? 10_000);
const MEMORY_BATCH = 1_000;
const MEMORY_SLOTS = 16;
const RSS_SAMPLE_MS = 100;
/**
 * Allowed rise of the runner's mean RSS from the first batch of 1,000 runs to the last. A leak of what
 * the runner holds per run (an ActiveRun, its outbox items and map entries, a log child: well over 1 KB)
 * over the 9,000 runs between the two batches would add more than 9 MB; the means of two batches of
 * the same work differ by about 1–2 MB (V8 pages in use between scavenges), so 5 MB tells them apart.
 */
const LEVEL_MARGIN_MB = 5;

/**
 * Start latency is judged at a steady rate of this share of the 1×64 burst throughput (on the same
 * store), not in the burst: there every run waits for a slot behind the runs created before it, so its
 * created → started is queueing that grows with the batch, whatever the runners do.
 */
const PACED_SHARE = 0.5;
const PACED_RUNS = Number(process.env.FLEET_PACED_RUNS ?? 500);

const ms = (n: number) => `${n.toFixed(1)} ms`;

interface Cpu {
  user: number;
  sys: number;
  /** Time the main thread waited for a CPU (it was runnable, others ran). */
  waiting: number;
  minorFaults: number;
}

interface Batch {
  runsPerSecond: number;
  /** Per run, ms: created → started, created → claimed, claimed → started. */
  start: number[];
  claim: number[];
  dispatch: number[];
  /** Per run, ms, of the coordinator and of all the runners together. */
  cpuPerRun: { coordinator: Cpu; runners: Cpu };
  /** Runs claimed or running, sampled while the batch ran. */
  inFlight: number[];
  /** Executors started per run (1 unless runs were taken back from a runner and run again). */
  executionsPerRun: number;
  /** Runs that needed more than one attempt (a lease lapsed, or an infrastructure failure). */
  retried: number;
  /** Run reports per run that came with a long-poll, and alone (`/reports`). */
  reports: { poll: number; request: number };
}

/** The coordinator's count of run reports received with long-polls and alone (agent_coordinator_run_reports_total). */
async function reportsReceived(group: RunnerGroup): Promise<{ poll: number; request: number }> {
  const text = await group.text('/metrics');
  const count = (via: string) => Number(new RegExp(`agent_coordinator_run_reports_total\\{via="${via}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
  return { poll: count('poll'), request: count('request') };
}

function cpuOf(pids: readonly number[]): Cpu {
  let total: Cpu = { user: 0, sys: 0, waiting: 0, minorFaults: 0 };
  for (const pid of pids) {
    const cpu = cpuMs(pid);
    total = { user: total.user + cpu.user, sys: total.sys + cpu.sys, waiting: total.waiting + schedMs(pid).waiting, minorFaults: total.minorFaults + cpu.minorFaults };
  }
  return total;
}

/**
 * One measured batch on `group` (`submit` creates its runs and waits for them): throughput and latencies
 * from the coordinator's own timestamps (first created → last finished), CPU from /proc.
 */
async function measureBatch(group: RunnerGroup, n: number, submit: () => Promise<SubmittedBatch>): Promise<Batch> {
  const pids = group.runners.map((r) => r.pid!);
  const cpu0 = { coordinator: cpuOf([group.coordinatorPid]), runners: cpuOf(pids) };
  const starts0 = group.executorStarts();
  const reports0 = await reportsReceived(group);
  const { runIds, inFlight } = await submit();
  const reports1 = await reportsReceived(group);
  const cpu1 = { coordinator: cpuOf([group.coordinatorPid]), runners: cpuOf(pids) };
  const starts = group.executorStarts() - starts0;
  const perRun = (a: Cpu, b: Cpu): Cpu => ({ user: (b.user - a.user) / n, sys: (b.sys - a.sys) / n, waiting: (b.waiting - a.waiting) / n, minorFaults: (b.minorFaults - a.minorFaults) / n });
  const times: RunTimes[] = await group.runTimes(runIds);
  const first = Math.min(...times.map((t) => t.created));
  const last = Math.max(...times.map((t) => t.finished));
  // A run released and claimed again has the timestamps of its last claim only.
  const span = (from: keyof RunTimes, to: keyof RunTimes) => times.map((t) => t[to] - t[from]).filter((v) => Number.isFinite(v));
  return {
    runsPerSecond: n / ((last - first) / 1000),
    start: span('created', 'started'),
    claim: span('created', 'claimed'),
    dispatch: span('claimed', 'started'),
    executionsPerRun: starts / n,
    retried: times.filter((t) => t.attempt > 1).length,
    cpuPerRun: { coordinator: perRun(cpu0.coordinator, cpu1.coordinator), runners: perRun(cpu0.runners, cpu1.runners) },
    inFlight,
    reports: { poll: (reports1.poll - reports0.poll) / n, request: (reports1.request - reports0.request) / n },
  };
}

const p50p99 = (values: number[]) => `p50 ${ms(percentile(values, 50))} p99 ${ms(percentile(values, 99))}`;

function printBatch(name: string, b: Batch): void {
  const cpu = (t: Cpu) => `${(t.user + t.sys).toFixed(1)} ms (${t.sys.toFixed(1)} sys; waited ${t.waiting.toFixed(1)} for a CPU; ${t.minorFaults.toFixed(0)} page faults)`;
  report(
    `  ${name}`,
    `${b.runsPerSecond.toFixed(0)} runs/s, in flight mean ${(b.inFlight.length === 0 ? 0 : mean(b.inFlight)).toFixed(0)} max ${Math.max(0, ...b.inFlight)}; ` +
      `executors started per run ${b.executionsPerRun.toFixed(2)}, runs retried ${b.retried}; ` +
      `run reports per run with a poll ${b.reports.poll.toFixed(2)}, alone ${b.reports.request.toFixed(2)}`,
  );
  report('', `CPU per run: coordinator ${cpu(b.cpuPerRun.coordinator)}, runners ${cpu(b.cpuPerRun.runners)}`);
  report('', `created → started ${p50p99(b.start)} (→ claimed ${p50p99(b.claim)}; claimed → started ${p50p99(b.dispatch)})`);
}

async function manySmallRunners(kind: StoreKind): Promise<void> {
  console.log(`\n${kind}: starting 1×${SINGLE_SLOTS} and ${FLEET_RUNNERS}×${FLEET_SLOTS} (each with its own coordinator)`);
  const groups: RunnerGroup[] = [];
  try {
    const t0 = performance.now();
    const single = await RunnerGroup.start(kind, 1, SINGLE_SLOTS);
    groups.push(single);
    single.freeze();
    const fleet = await RunnerGroup.start(kind, FLEET_RUNNERS, FLEET_SLOTS);
    groups.push(fleet);
    console.log(`  all runners online after ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const burst = new Map<RunnerGroup, Batch[]>([[single, []], [fleet, []]]);
    const paced = new Map<RunnerGroup, Batch[]>([[single, []], [fleet, []]]);
    // Warm both up once, then alternate: the same store state (rows so far) and machine load for each.
    for (const group of [fleet, single]) {
      await group.thaw();
      await group.submit(warmupRuns(group.runners.length));
      group.freeze();
    }
    console.log(`  warmed up: ${fleet.label} ${warmupRuns(fleet.runners.length)} runs, 1×${SINGLE_SLOTS} ${warmupRuns(1)} runs`);
    let rate = 0;
    for (let rep = 1; rep <= REPS; rep++) {
      for (const group of [single, fleet]) {
        await group.thaw();
        const batch = await measureBatch(group, RUNS, () => group.submit(RUNS));
        group.freeze();
        burst.get(group)!.push(batch);
        printBatch(`${group.label}, burst of ${RUNS}, rep ${rep}`, batch);
      }
      // The rate comes from the first 1×64 burst, so every paced batch of the store gets the same.
      rate ||= Math.max(1, Math.round(burst.get(single)![0]!.runsPerSecond * PACED_SHARE));
      for (const group of [single, fleet]) {
        await group.thaw();
        const batch = await measureBatch(group, PACED_RUNS, () => group.submitPaced(PACED_RUNS, rate));
        group.freeze();
        paced.get(group)!.push(batch);
        printBatch(`${group.label}, ${PACED_RUNS} at ${rate}/s, rep ${rep}`, batch);
      }
    }
    const throughput = (group: RunnerGroup) => mean(burst.get(group)!.map((b) => b.runsPerSecond));
    const starts = (results: Map<RunnerGroup, Batch[]>, group: RunnerGroup) => results.get(group)!.flatMap((b) => b.start);
    const ratio = throughput(fleet) / throughput(single);
    const pairs = burst.get(fleet)!.map((batch, i) => (batch.runsPerSecond / burst.get(single)![i]!.runsPerSecond).toFixed(2)).join(', ');
    report(`${kind}: throughput 1×${SINGLE_SLOTS} / ${fleet.label}`, `${throughput(single).toFixed(0)} / ${throughput(fleet).toFixed(0)} runs/s (bursts of ${RUNS}, ${REPS} reps)`);
    report(`${kind}: throughput ${fleet.label} ÷ 1×${SINGLE_SLOTS}`, `${ratio.toFixed(2)}× (each pair: ${pairs})`, { ok: ratio >= 0.9, text: '≥ 0.9×' });
    const burstP99 = (group: RunnerGroup) => percentile(starts(burst, group), 99);
    report(
      `${kind}: start in the bursts, p99`,
      `1×${SINGLE_SLOTS} ${ms(burstP99(single))}, ${fleet.label} ${ms(burstP99(fleet))} (${(burstP99(fleet) / burstP99(single)).toFixed(1)}×; queueing, see above)`,
    );
    for (const group of [single, fleet]) {
      const values = starts(paced, group);
      const p99 = percentile(values, 99);
      report(`${kind}: start at ${rate}/s, ${group.label}`, p50p99(values), { ok: p99 <= 60, text: 'p99 ≤ 60 ms' });
    }
  } finally {
    for (const group of groups) await group.stop();
  }
}

/** RSS samples (MB) of the runner and the coordinator. */
interface Samples {
  runner: number[];
  coordinator: number[];
  /** The runner's anonymous memory (heap, stacks, malloc) and its file-backed pages (node's code, mapped libraries). */
  runnerAnon: number[];
  runnerFile: number[];
}

async function memoryAfterLoad(): Promise<void> {
  const group = await RunnerGroup.start('sqlite', 1, MEMORY_SLOTS);
  try {
    const runnerPid = group.runners[0]!.pid!;
    const coordinatorPid = group.coordinatorPid;
    const sample = (into: Samples) => {
      into.runner.push(statusMb(runnerPid, 'VmRSS'));
      into.coordinator.push(statusMb(coordinatorPid, 'VmRSS'));
      into.runnerAnon.push(statusMb(runnerPid, 'RssAnon'));
      into.runnerFile.push(statusMb(runnerPid, 'RssFile'));
    };
    report('memory: idle before any run, runner / coordinator', `${statusMb(runnerPid, 'VmRSS').toFixed(1)} / ${statusMb(coordinatorPid, 'VmRSS').toFixed(1)} MB`);
    await group.submit(warmupRuns(1));
    const batches: Samples[] = [];
    for (let done = 0; done < MEMORY_RUNS; done += MEMORY_BATCH) {
      const samples: Samples = { runner: [], coordinator: [], runnerAnon: [], runnerFile: [] };
      // Sampled on a timer while the batch runs: the mean over a batch does not depend on when V8 collected.
      const timer = setInterval(() => sample(samples), RSS_SAMPLE_MS);
      try {
        await group.submit(Math.min(MEMORY_BATCH, MEMORY_RUNS - done));
      } finally {
        clearInterval(timer);
      }
      await group.untilIdle();
      sample(samples);
      batches.push(samples);
      const r = samples.runner;
      const c = samples.coordinator;
      report(
        `  after ${done + MEMORY_BATCH} runs`,
        `runner ${mean(r).toFixed(1)} MB (${Math.min(...r).toFixed(1)}–${Math.max(...r).toFixed(1)}, idle ${r.at(-1)!.toFixed(1)}; ` +
          `anon ${mean(samples.runnerAnon).toFixed(1)}, file ${mean(samples.runnerFile).toFixed(1)}), ` +
          `coordinator ${mean(c).toFixed(1)} MB (${Math.min(...c).toFixed(1)}–${Math.max(...c).toFixed(1)}, idle ${c.at(-1)!.toFixed(1)})`,
      );
    }
    const runnerAfter = statusMb(runnerPid, 'VmRSS');
    const coordinatorAfter = statusMb(coordinatorPid, 'VmRSS');
    const level = (pick: (s: Samples) => number[]) => mean(pick(batches.at(-1)!)) - mean(pick(batches[0]!));
    report(`memory: runner RSS after ${MEMORY_RUNS} runs (idle)`, `${runnerAfter.toFixed(1)} MB (RssAnon ${statusMb(runnerPid, 'RssAnon').toFixed(1)} MB)`, {
      ok: runnerAfter <= 90,
      text: '≤ 90 MB',
    });
    const runnerLevel = level((s) => s.runner);
    const signed = (mb: number) => `${mb >= 0 ? '+' : ''}${mb.toFixed(1)} MB`;
    report('memory: runner level (last batch mean − first)', `${signed(runnerLevel)} (anon ${signed(level((s) => s.runnerAnon))}, file ${signed(level((s) => s.runnerFile))})`, {
      ok: runnerLevel <= LEVEL_MARGIN_MB,
      text: `≤ +${LEVEL_MARGIN_MB} MB`,
    });
    report(`memory: coordinator RSS after ${MEMORY_RUNS} runs (idle)`, `${coordinatorAfter.toFixed(1)} MB (RssAnon ${statusMb(coordinatorPid, 'RssAnon').toFixed(1)} MB)`, {
      ok: coordinatorAfter <= 130,
      text: '≤ 130 MB',
    });
    const coordinatorLevel = level((s) => s.coordinator);
    report('memory: coordinator level (last batch mean − first)', `${coordinatorLevel >= 0 ? '+' : ''}${coordinatorLevel.toFixed(1)} MB`);
  } finally {
    await group.stop();
  }
}

console.log(machineLine());
if (PART === undefined || PART === 'runners') {
  if (STORE !== 'postgres') await manySmallRunners('sqlite');
  if (STORE === 'sqlite') console.log('postgres: skipped (FLEET_STORE=sqlite)');
  else if (await postgresAvailable()) await manySmallRunners('postgres');
  else console.log('postgres: skipped, no PostgreSQL at the test URL');
}
if (PART === undefined || PART === 'memory') await memoryAfterLoad();
