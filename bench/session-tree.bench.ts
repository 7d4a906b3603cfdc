// The tree of sessions (issue 14): a tree of 1,000 sessions (a root, 9 children, 81 grandchildren, the
// rest great-grandchildren), `GET /v1/sessions/:id/tree` (target ≤ 200 ms) on both stores, and
// `agent-runner sessions tree` end to end (a new process, so its figure includes Node's own start, printed
// beside it: the target applies to the part above that).
import { spawn } from 'node:child_process';
import { BIN } from '../test/helpers/fixtures.js';
import type { StoreKind } from '../test/coordinator/helpers.js';
import { benchCoordinator, postgresAvailable } from './coordinator-kit.js';
import { percentile, report } from './lib/stats.js';

const NODES = 1_000;
const FANOUT = 9;
const SAMPLES = 15;
const TARGET_MS = 200;

function timeProcess(args: string[]): Promise<{ ms: number; code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.once('error', reject);
    child.once('close', (code) => resolve({ ms: performance.now() - t0, code, out }));
  });
}

async function bench(kind: StoreKind): Promise<void> {
  const coordinator = await benchCoordinator(kind);
  try {
    const api = coordinator.api();
    const create = async (parent?: string) => {
      const res = await api('POST', '/v1/sessions', { executor: 'bench', prompt: 'part of a big tree', ...(parent === undefined ? {} : { parent_session_id: parent }) });
      if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.session_id as string;
    };
    const root = await create();
    let level = [root];
    let made = 1;
    const createTimes: number[] = [];
    while (made < NODES) {
      const next: string[] = [];
      for (const parent of level) {
        for (let i = 0; i < FANOUT && made < NODES; i++, made++) {
          const t0 = performance.now();
          next.push(await create(parent));
          createTimes.push(performance.now() - t0);
        }
      }
      level = next;
    }
    report(`create a child (${kind}, tree of ${NODES})`, `p50 ${percentile(createTimes, 50).toFixed(2)} ms, p99 ${percentile(createTimes, 99).toFixed(2)} ms`);
    const times: number[] = [];
    let nodes = 0;
    for (let i = 0; i < SAMPLES + 2; i++) {
      const t0 = performance.now();
      const res = await api('GET', `/v1/sessions/${root}/tree?limit=${NODES}`);
      if (i >= 2) times.push(performance.now() - t0); // the first two warm the caches
      nodes = res.body.nodes;
    }
    const p50 = percentile(times, 50);
    report(`GET /tree, ${nodes} sessions (${kind})`, `p50 ${p50.toFixed(1)} ms, p90 ${percentile(times, 90).toFixed(1)} ms`, { ok: p50 <= TARGET_MS, text: `p50 ≤ ${TARGET_MS} ms` });

    if (kind !== 'sqlite') return;
    const cli: number[] = [];
    const node: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const run = await timeProcess([BIN, 'sessions', 'tree', root, '-c', coordinator.url]);
      if (run.code !== 0) throw new Error(`sessions tree failed: ${run.out}`);
      if (i === 0 && run.out.split('\n').length < NODES) throw new Error('sessions tree printed fewer lines than the tree has sessions');
      cli.push(run.ms);
      node.push((await timeProcess(['-e', '0'])).ms);
    }
    const cliP50 = percentile(cli, 50);
    const nodeP50 = percentile(node, 50);
    report(`sessions tree, ${NODES} sessions (new process)`, `p50 ${cliP50.toFixed(0)} ms (Node's start ${nodeP50.toFixed(0)} ms + ${(cliP50 - nodeP50).toFixed(0)} ms)`, {
      ok: cliP50 - nodeP50 <= TARGET_MS,
      text: `≤ ${TARGET_MS} ms above Node's start`,
    });
  } finally {
    await coordinator.stop();
  }
}

await bench('sqlite');
if (await postgresAvailable()) await bench('postgres');
else console.log('PostgreSQL not reachable: its figures are skipped');
