// Cold start of the client commands (issue 12 "Fast"): each sample is a new `bin/agent-runner` process
// against a running coordinator, from spawn to exit, as a user or a script runs it (target p50 ≤ 300 ms
// on a quiet machine). `node -e 0` is printed beside them: the part of every figure that is Node's own
// start. A command this checkout does not have yet (its first run ends in a usage error) is skipped.
// COLD_START_BIN=/other/checkout/bin/agent-runner measures another build (e.g. before a change).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from '../test/helpers/fixtures.js';
import { benchCoordinator, registerRunner } from './coordinator-kit.js';
import { percentile, report } from './lib/stats.js';

/** Samples per command (each a new process; commands take turns so a busy moment hits them alike). */
const SAMPLES = Number(process.env.COLD_START_SAMPLES ?? 15);
/** Sessions in the coordinator: a full first page for `sessions list` (its default limit is 20). */
const SESSIONS = 25;
const TARGET_MS = 300;
const CLI = process.env.COLD_START_BIN ?? BIN;

/** Wall time of one process from spawn to exit; its exit code and stderr. */
function timeProcess(command: string, args: string[], cwd: string): Promise<{ ms: number; code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(command, args, { cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ ms: performance.now() - t0, code, stderr }));
  });
}

const coordinator = await benchCoordinator('sqlite');
const cwd = mkdtempSync(join(tmpdir(), 'cli-cold-start-'));
try {
  const api = coordinator.api();
  let sessionId = '';
  for (let i = 0; i < SESSIONS; i++) {
    sessionId = (await api('POST', '/v1/sessions', { executor: 'bench', prompt: `task ${i}: make the build green`, project_dir: cwd })).body.session_id;
  }
  await api('PUT', '/v1/agents/helper', { description: 'a bench agent', executor: 'bench', system_prompt: 'help' });
  await registerRunner(api, ['bench'], ['bench']);

  const url = coordinator.url;
  const commands: Array<{ name: string; args: string[] }> = [
    { name: 'sessions list', args: ['sessions', 'list', '-c', url] },
    { name: 'sessions show', args: ['sessions', 'show', sessionId, '-c', url] },
    { name: 'runners', args: ['runners', '-c', url] },
    { name: 'status', args: ['status', '-c', url] },
    { name: 'agents list', args: ['agents', 'list', '-c', url] },
  ];
  // A first run of each: it warms the file cache and tells whether the command exists here.
  const present: typeof commands = [];
  for (const command of commands) {
    const first = await timeProcess(process.execPath, [CLI, ...command.args], cwd);
    if (first.code === 0) present.push(command);
    else console.log(`${command.name}: skipped (exit ${first.code}: ${first.stderr.trim().split('\n')[0]})`);
  }
  console.log(`${CLI}; load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores (a busy machine inflates every figure)`);
  // Node reads this file (a CA bundle, ~140 certificates) at every start, before any of our code: ~90 ms here.
  if (process.env.NODE_EXTRA_CA_CERTS) console.log(`NODE_EXTRA_CA_CERTS is set (${process.env.NODE_EXTRA_CA_CERTS}): Node loads it at every start, every figure below included; unset it to see the commands alone`);
  const node = { name: 'node -e 0 (Node\'s own start)', args: ['-e', '0'] };
  const samples = new Map<string, number[]>([...present, node].map((c) => [c.name, []]));
  for (let i = 0; i < SAMPLES; i++) {
    for (const command of present) {
      const run = await timeProcess(process.execPath, [CLI, ...command.args], cwd);
      if (run.code !== 0) throw new Error(`${command.name} failed (exit ${run.code}): ${run.stderr}`);
      samples.get(command.name)!.push(run.ms);
    }
    samples.get(node.name)!.push((await timeProcess(process.execPath, node.args, cwd)).ms);
  }
  // Beside each p50, what it costs above Node's own start: the part this code can change, and the figure
  // that moves least with the machine's other load.
  const nodeP50 = percentile(samples.get(node.name)!, 50);
  for (const [name, times] of samples) {
    const p50 = percentile(times, 50);
    const above = name === node.name ? '' : ` (Node's start + ${(p50 - nodeP50).toFixed(0)} ms)`;
    const figures = `p50 ${p50.toFixed(0)} ms${above}, p90 ${percentile(times, 90).toFixed(0)} ms, min ${Math.min(...times).toFixed(0)} ms over ${times.length} cold starts`;
    report(`cold start: ${name}`, figures, name === node.name ? undefined : { ok: p50 <= TARGET_MS, text: `p50 ≤ ${TARGET_MS} ms` });
  }
} finally {
  await coordinator.stop();
  rmSync(cwd, { recursive: true, force: true });
}
