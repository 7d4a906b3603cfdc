// Choosing a model per run (target ≤ 1 ms per run): the router alone over a 20-rule file, and the claim
// latency (a run created → returned to a waiting long-poll) of a coordinator without and with that file,
// on SQLite and PostgreSQL. The runs are of an agent with `models`, so both coordinators choose a model and
// put it in the assignment (the run notes it when its runner reports the start, outside this measure); the
// second also walks the rules, the last of which matches.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type StoreKind } from '../test/coordinator/helpers.js';
import { readRoutingFile } from '../coordinator/routing/read-routing-file.js';
import { chooseModel } from '../coordinator/routing/choose-model.js';
import { benchCoordinator, claimLatencies, fmt, percentile, postgresAvailable, registerRunner } from './coordinator-kit.js';

const SAMPLES = Number(process.env.BENCH_ROUTING_SAMPLES ?? 100);
const WARMUP = 30;

/** 19 rules that do not match the bench's runs (other agents, kinds, depths, budgets), then one that does. */
const RULES = `rules:\n${Array.from({ length: 19 }, (_, i) =>
  `  - name: rule-${i}\n    match: { agent: "other-${i}*", kind: [k${i}, j${i}], depth: { min: ${i % 3} }, tags: [t${i}] }\n    models: [m${i}-a, m${i}-b]\n`).join('')}  - name: bench\n    match: { agent: "bench*" }\n    models: [chosen-a, chosen-b]\n`;

function routerAlone(): void {
  const read = readRoutingFile('routing.yaml', RULES);
  if (!read.ok) throw new Error(read.problems.join('\n'));
  const facts = { agent: 'bench-agent', tags: ['t1'], depth: 2, kind: 'k3', budgetLeft: 0.5 };
  const unavailable = new Set(['m4-a']);
  const n = 100_000;
  for (let i = 0; i < 10_000; i++) chooseModel(read.rules, facts, { models: ['own'] }, unavailable);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) chooseModel(read.rules, facts, { models: ['own'] }, unavailable);
  const perCall = ((performance.now() - t0) / n) * 1000;
  console.log(`router alone: ${fmt(perCall)} µs per choice over ${read.rules.length} rules (the 20th matches), ${n} choices (target ≤ 1 ms per run)`);
}

/** A coordinator whose runs are of an agent with `models` (or none: no model to note), with or without the routing file. */
async function variant(kind: StoreKind, routing: string | null, models: string[] | null) {
  const c = await benchCoordinator(kind, routing === null ? [] : ['--routing', routing]);
  const api = c.api();
  await api('PUT', '/v1/agents/bench-agent', { executor: 'bench', ...(models === null ? {} : { models }) });
  const runner = await registerRunner(api, ['bench']);
  const expected = routing !== null ? 'chosen-a' : models === null ? null : models[0];
  const latencies: number[] = [];
  /** One claim, timed (kept after the warm-up). */
  const sample = async (keep: boolean) => {
    const [ms] = await claimLatencies(api, runner, { agent: 'bench-agent', prompt: 'x' }, 1, 0, (got) => {
      if ((got.invocation?.model ?? null) !== expected) throw new Error(`claimed with model ${got.invocation?.model}, expected ${expected}`);
    });
    if (keep) latencies.push(ms!);
  };
  return { sample, p50: () => percentile(latencies, 50), stop: () => c.stop() };
}

/** The three coordinators side by side, their claims interleaved (one of each per round, in a turning order), so load on the box falls on all alike. */
async function claims(kind: StoreKind, routing: string): Promise<void> {
  const variants = [await variant(kind, null, null), await variant(kind, null, ['own-a', 'own-b']), await variant(kind, routing, ['own-a', 'own-b'])];
  try {
    // The order turns each round, so no variant always follows another (on PostgreSQL the one after a write paid for its flush).
    for (let round = 0; round < WARMUP + SAMPLES; round++) {
      for (let i = 0; i < variants.length; i++) await variants[(round + i) % variants.length]!.sample(round >= WARMUP);
    }
    const [none, own, withRules] = variants.map((v) => v.p50()) as [number, number, number];
    console.log(
      `claim p50 (${kind}): ${fmt(none)} ms without any model, ${fmt(own)} ms with the blueprint's models (in the assignment; the run notes it when started), ` +
        `${fmt(withRules)} ms with a 20-rule routing file (difference to none ${fmt(withRules - none)} ms, target ≤ 1 ms per run) over ${SAMPLES} interleaved runs each`,
    );
  } finally {
    for (const v of variants) await v.stop();
  }
}

routerAlone();
const dir = mkdtempSync(join(tmpdir(), 'bench-routing-'));
try {
  const routing = join(dir, 'routing.yaml');
  writeFileSync(routing, RULES);
  await claims('sqlite', routing);
  if (await postgresAvailable()) await claims('postgres', routing);
  else console.log('claim p50 (postgres): skipped, no PostgreSQL at the test URL');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
