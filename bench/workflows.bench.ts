// The workflow engine's overhead (issue 16), with a coordinator and a runner (`-n 10`, test-executor) as
// processes, on SQLite and PostgreSQL:
// - a 200-job DAG (20 layers of 10, each job needing two of the layer before) against the same 200 runs
//   submitted as plain sessions by a script (20 waves of 10, each once the one before ended): per job, ready → ended (a job is ready when its last need ended;
//   a plain session when it was created), p50 of each, and the difference (target ≤ 10 ms at p50);
// - a 1,000-way matrix: fan-out (the start request, which creates the 1,000 sessions) and fan-in, the time
//   from the last instance's end to a follower seeing the workflow ended (target ≤ 100 ms).
// Validating a 500-job file is bench/workflow-validate.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserApi } from '../lib/client/user-api.js';
import type { WorkflowRunView } from '../protocol/workflows.js';
import type { StoreKind } from '../test/coordinator/helpers.js';
import { tempDir } from '../test/helpers/fixtures.js';
import { benchCoordinator, postgresAvailable } from './coordinator-kit.js';
import { startBenchRunner, stopChild } from './lib/runner-process.js';
import { percentile, report } from './lib/stats.js';

const LAYERS = 20;
const WIDTH = 10;
const FAN = 1_000;
const SLOTS = 10;

function dagYaml(): string {
  const lines = ['name: dag200', 'jobs:'];
  for (let l = 0; l < LAYERS; l++) {
    for (let w = 0; w < WIDTH; w++) {
      lines.push(`  j${l}_${w}:`, '    executor: test-executor', `    prompt: "job ${l}.${w}"`);
      if (l > 0) lines.push(`    needs: [j${l - 1}_${w}, j${l - 1}_${(w + 1) % WIDTH}]`);
    }
  }
  return `${lines.join('\n')}\n`;
}

const FAN_YAML = `name: fan1000
jobs:
  fan:
    executor: test-executor
    prompt: "part \${{ matrix.i }}"
    strategy:
      matrix:
        i: [${Array.from({ length: FAN }, (_, i) => i).join(', ')}]
`;

async function followToEnd(api: UserApi, id: string): Promise<{ view: WorkflowRunView; seenAt: number }> {
  const ac = new AbortController();
  let last: WorkflowRunView | null = null;
  for await (const view of api.followWorkflowRun(id, ac.signal)) last = view;
  return { view: last!, seenAt: Date.now() };
}

/** Wait until none of these sessions is queued or running (polling the list: a bench client, not a test). */
async function waitEnded(api: UserApi, ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    for (;;) {
      const s = await api.getSession(id);
      if (s.status !== 'queued' && s.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

async function bench(kind: StoreKind): Promise<void> {
  const { dir, cleanup } = tempDir('workflows-bench-');
  const workflowsDir = join(dir, 'workflows');
  mkdirSync(workflowsDir);
  writeFileSync(join(workflowsDir, 'dag200.yaml'), dagYaml());
  writeFileSync(join(workflowsDir, 'fan1000.yaml'), FAN_YAML);
  const coordinator = await benchCoordinator(kind, ['--workflows-dir', workflowsDir]);
  const runner = await startBenchRunner(coordinator.url, ['-x', 'test-executor', '-n', String(SLOTS)], { cwd: dir });
  const api = new UserApi(coordinator.url);
  try {
    // Plain sessions: the same 200 runs as a script would submit them, 20 waves of 10 (one per slot), each
    // wave once the one before ended; each session from its creation to its end.
    const t0 = Date.now();
    const plain: string[] = [];
    for (let l = 0; l < LAYERS; l++) {
      const wave = await Promise.all(Array.from({ length: WIDTH }, (_, w) => api.createSession({ executor: 'test-executor', prompt: `job ${l}.${w}` })));
      await waitEnded(api, wave.map((p) => p.session_id));
      plain.push(...wave.map((p) => p.session_id));
    }
    const plainWall = Date.now() - t0;
    const plainSessions = await Promise.all(plain.map((id) => api.getSession(id)));
    const plainTimes = plainSessions.map((s) => Date.parse(s.ended_at!) - Date.parse(s.created_at));
    const plainRuns = await Promise.all(plainSessions.map((s) => api.getRun(s.last_run_id)));
    const plainClaim = plainRuns.map((r) => Date.parse(r.claimed_at!) - Date.parse(r.created_at));

    // The DAG: each job from the moment it was ready (its last need ended) to its end.
    const t1 = Date.now();
    const started = await api.startWorkflowRun({ workflow: 'dag200' });
    await followToEnd(api, started.workflow_run_id);
    const dagWall = Date.now() - t1;
    const view = await api.getWorkflowRun(started.workflow_run_id);
    if (view.status !== 'succeeded') throw new Error(`dag200 ${view.status}: ${view.error}`);
    const ended = new Map<string, number>();
    const sessions = new Map<string, { created: number; claimed: number; ended: number }>();
    for (const j of view.jobs) {
      const s = await api.getSession(j.tasks[0]!.session_id!);
      const run = await api.getRun(s.last_run_id);
      sessions.set(j.id, { created: Date.parse(s.created_at), claimed: Date.parse(run.claimed_at!), ended: Date.parse(s.ended_at!) });
      ended.set(j.id, Date.parse(s.ended_at!));
    }
    const dagTimes: number[] = [];
    const dispatch: number[] = [];
    const dagClaim: number[] = [];
    for (const j of view.jobs) {
      const s = sessions.get(j.id)!;
      const ready = j.needs.length === 0 ? Date.parse(view.created_at) : Math.max(...j.needs.map((n) => ended.get(n)!));
      dagTimes.push(s.ended - ready);
      dispatch.push(s.created - ready);
      dagClaim.push(s.claimed - ready);
    }
    const plainP50 = percentile(plainTimes, 50);
    const dagP50 = percentile(dagTimes, 50);
    report(`plain sessions, 20 waves of 10 (${kind})`, `created → ended p50 ${plainP50.toFixed(0)} ms, wall ${plainWall} ms`);
    report(`200-job DAG, width 10 (${kind})`, `ready → ended p50 ${dagP50.toFixed(0)} ms, wall ${dagWall} ms, ready → session p99 ${percentile(dispatch, 99).toFixed(0)} ms`);
    report(`added time per job, p50 (${kind})`, `${(dagP50 - plainP50).toFixed(1)} ms`, { ok: dagP50 - plainP50 <= 10, text: '≤ 10 ms' });
    report(`  of which to a runner's claim (${kind})`, `ready → claimed p50 ${percentile(dagClaim, 50).toFixed(0)} ms (p90 ${percentile(dagClaim, 90).toFixed(0)}), plain created → claimed p50 ${percentile(plainClaim, 50).toFixed(0)} ms (p90 ${percentile(plainClaim, 90).toFixed(0)})`);

    // A 1,000-way matrix: fan-out and fan-in.
    const t2 = performance.now();
    const fan = await api.startWorkflowRun({ workflow: 'fan1000' });
    const fanOut = performance.now() - t2;
    const { view: followed, seenAt } = await followToEnd(api, fan.workflow_run_id);
    if (followed.status !== 'succeeded') throw new Error(`fan1000 ${followed.status}: ${followed.error}`);
    const fanView = await api.getWorkflowRun(fan.workflow_run_id);
    const lastEnd = Math.max(...fanView.jobs[0]!.tasks.map((t) => Date.parse(t.ended_at!)));
    report(`1,000-way matrix fan-out (${kind})`, `${fanOut.toFixed(0)} ms to start (1,000 sessions created in its transaction)`);
    report(`fan-in: last instance's end → workflow ended (${kind})`, `${seenAt - lastEnd} ms as a follower sees it (${Date.parse(fanView.ended_at!) - lastEnd} ms in the store)`, {
      ok: seenAt - lastEnd <= 100,
      text: '≤ 100 ms',
    });
  } finally {
    await api.close();
    await stopChild(runner);
    await coordinator.stop();
    cleanup();
  }
}

// BENCH_STORES=postgres (or sqlite) measures one store only.
const stores = (process.env.BENCH_STORES ?? 'sqlite,postgres').split(',');
if (stores.includes('sqlite')) await bench('sqlite');
if (!stores.includes('postgres')) process.exit(0);
if (await postgresAvailable()) await bench('postgres');
else console.log('PostgreSQL not reachable: its figures are skipped');
