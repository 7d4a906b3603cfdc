// How much counting usage adds to a run's report: applyRunReport of one event batch (a log, or a log and a
// usage event) for a session at depth 0 and at depth 10 of its tree, p50 over many reports, on SQLite
// (a file in a temp dir) or PostgreSQL (AGENT_COORDINATOR_TEST_PG, a fresh schema). Run: npx tsx bench/usage-report-cost.ts [sqlite|postgres]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore } from '../coordinator/store/open-store.js';

const kind = process.argv[2] === 'postgres' ? 'postgres' : 'sqlite';
const REPORTS = 400;
const policy = { baseMs: 100, maxMs: 1_000, random: () => 1, leaseMs: 3_600_000 };
const base = { agent: 'bench', executor: 'test', tags: [], project_dir: null, priority: 0, timeout_s: null, prompt: 'p', max_attempts: 1 };

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'usage-bench-'));
  const pgUrl = process.env.AGENT_COORDINATOR_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `usage_bench_${process.pid}`;
  const store = await openStore(kind === 'sqlite' ? { databaseUrl: join(dir, 'c.db') } : { databaseUrl: pgUrl, schema });
  let now = Date.now();
  await store.registerRunner({ id: 'r1', name: 'r1', hostname: null, executors: ['test'], tags: [], capacity: 100, metadata: null }, 'h', now);
  /** A running run of a session `depth` levels below a new root. */
  async function runAtDepth(depth: number) {
    let parent: string | null = null;
    let run = null;
    for (let d = 0; d <= depth; d++) {
      const created = await store.createSession({ ...base, parent_session_id: parent }, ++now);
      const claimed = await store.claimNextRun({ id: 'r1', executors: ['test'], tags: [] }, ++now);
      await store.applyRunReport('r1', { run_id: claimed!.id, started: {} }, ++now, policy);
      parent = created.session.id;
      run = claimed!;
    }
    return run!;
  }
  const results: string[] = [];
  for (const depth of [0, 10]) {
    for (const withUsage of [false, true]) {
      const run = await runAtDepth(depth);
      const times: number[] = [];
      for (let i = 1; i <= REPORTS; i++) {
        const events = [{ seq: 2 * i - 1, event: { type: 'log', message: 'x' } }];
        if (withUsage) events.push({ seq: 2 * i, event: { type: 'usage', input_tokens: i * 10, output_tokens: i, cost_usd: i / 1000 } as never });
        const t0 = process.hrtime.bigint();
        await store.applyRunReport('r1', { run_id: run.id, events }, ++now, policy);
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      times.sort((a, b) => a - b);
      results.push(`${kind} depth ${depth} ${withUsage ? 'log+usage' : 'log      '}: p50 ${times[REPORTS / 2]!.toFixed(3)} ms, p95 ${times[Math.floor(REPORTS * 0.95)]!.toFixed(3)} ms`);
    }
  }
  await store.close();
  if (kind === 'postgres') {
    const c = new pg.Client({ connectionString: pgUrl });
    await c.connect();
    await c.query(`DROP SCHEMA "${schema}" CASCADE`);
    await c.end();
  }
  rmSync(dir, { recursive: true, force: true });
  console.log(results.join('\n'));
}
await main();
